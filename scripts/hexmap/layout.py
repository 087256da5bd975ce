"""Lay England's children's-services authorities out on a hex grid, one cell each.

A hex map draws every authority at the same size, so the 33 London boroughs are as
visible as North Yorkshire, and the web page can colour it by a measure per authority.
The layout is our own: it is computed here from an approximate centre for each
authority (`centroids.csv`: latitude and longitude, good to about 10 km) and the
project's reference list of authorities, not copied from any published hex map.

How:
1. Project the centroids (equirectangular, longitude scaled by cos 53°, in km, then
   stretched east-west so the grid is less tall and thin).
2. Swell London: a fisheye blows the disc holding the boroughs up to 33 cells' area,
   pushing the home counties straight outwards.
3. Spread the points until no two are closer than one cell (the separation grows
   slowly, so Manchester or Birmingham expand evenly and keep their internal order),
   while geographic neighbours, and the nearest few of each region, are drawn
   together when they drift more than a cell apart (closing the gaps that big rural
   counties would leave) and every point is pulled gently back home.
4. Give each authority a cell, minimising the total squared displacement (the
   Hungarian algorithm), then tidy by hill-climbing: moves and swaps that trade a
   little displacement for more authorities touching (no holes), and swaps of
   neighbours that sit the wrong way round compared with the geography.

The grid is "odd-r": rows of pointy-top hexes, odd rows shifted right by half a cell,
row 0 at the top (north). Everything is deterministic, so the committed JSON can be
checked against this script (tests/api/test_hexmap.py does).

Usage, from the repository root (standard library only):
    python3 scripts/hexmap/layout.py
writes services/api/src/findings_api/web/hexmap.json.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CENTROIDS = ROOT / "scripts" / "hexmap" / "centroids.csv"
AUTHORITIES = ROOT / "shared" / "src" / "findings_shared" / "data" / "local_authorities.csv"
OUTPUT = ROOT / "services" / "api" / "src" / "findings_api" / "web" / "hexmap.json"

KM_PER_DEGREE = 111.32
REFERENCE_LATITUDE = 53.0
# East-west stretch on top of the projection: hex rows sit closer than columns, and a
# less tall grid suits a web page.
X_STRETCH = 1.3
# One cell is this many km across: about England's area over its number of
# authorities, so the map comes out England-shaped with few gaps.
CELL_KM = 29.0
# The region whose boroughs are swollen to a cell each before anything else.
SWOLLEN_REGION = "London"
SPREAD_ITERATIONS = 300
# The separation distance grows from a tenth of a cell to one cell over this fraction
# of the iterations.
GROWTH = 0.3
# Each point is tied to its NEIGHBOURS nearest points and to the REGION_NEIGHBOURS
# nearest of its own region; a tie longer than a cell shortens by this fraction of the
# excess per iteration ...
NEIGHBOURS = 5
COHESION = 0.05
REGION_NEIGHBOURS = 5
REGION_COHESION = 0.05
# ... and each point moves this fraction of the way back to where it started.
HOMING = 0.01
# Tidying: the reward for each pair of adjacent authorities, in squared cell widths
# of displacement; and a bound on the hill-climbing passes.
CONTACT = 2.5
MAX_PASSES = 50
ROW_HEIGHT = math.sqrt(3) / 2  # distance between rows, in cell widths

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Centroid:
    ons_code: str
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True, order=True)
class Cell:
    col: int
    row: int


@dataclass(frozen=True, slots=True)
class Authority:
    ons_code: str
    la_code: str
    name: str
    region: str


def read_centroids(path: Path = CENTROIDS) -> list[Centroid]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Centroid(
                ons_code=row["ons_code"],
                name=row["name"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(fh)
        ]


def read_authorities(path: Path = AUTHORITIES) -> list[Authority]:
    """The reference list's current authorities (those with statistical neighbours: the
    list keeps abolished ones, such as Poole, for their old reports)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Authority(
                ons_code=row["ons_code"],
                la_code=row["la_code"],
                name=row["name"],
                region=row["region"],
            )
            for row in csv.DictReader(fh)
            if row["ons_code"] and row["stat_neighbours"]
        ]


def project(centroids: Sequence[Centroid]) -> list[Point]:
    """Kilometres east and south of the north-west corner of the centroids' box."""
    north = max(c.latitude for c in centroids)
    west = min(c.longitude for c in centroids)
    x_scale = KM_PER_DEGREE * math.cos(math.radians(REFERENCE_LATITUDE)) * X_STRETCH
    return [
        ((c.longitude - west) * x_scale, (north - c.latitude) * KM_PER_DEGREE) for c in centroids
    ]


def swell(points: Sequence[Point], members: Sequence[bool], cell: float) -> list[Point]:
    """Blow the disc holding the `members` up to the area of one cell each.

    A fisheye about the members' mean: inside the disc, distances from the centre are
    scaled up; outside, each point moves straight outwards just far enough that the
    ring between it and the disc keeps its area, so the places around keep their
    order and places far away hardly move.
    """
    inside = [p for p, member in zip(points, members, strict=True) if member]
    if not inside:
        return list(points)
    cx = sum(x for x, _ in inside) / len(inside)
    cy = sum(y for _, y in inside) / len(inside)
    radius = max(math.hypot(x - cx, y - cy) for x, y in inside) + cell / 2
    wanted = math.sqrt(len(inside) * ROW_HEIGHT / math.pi) * cell
    if wanted <= radius:
        return list(points)
    result = []
    for x, y in points:
        r = math.hypot(x - cx, y - cy)
        if r <= radius:
            scale = wanted / radius
        else:
            scale = math.sqrt(r * r - radius * radius + wanted * wanted) / r
        result.append((cx + (x - cx) * scale, cy + (y - cy) * scale))
    return result


def nearest_neighbours(
    points: Sequence[Point], k: int, groups: Sequence[str] | None = None
) -> list[tuple[int, int]]:
    """Pairs (i < j) where either point is among the other's `k` nearest (in its group)."""
    pairs: set[tuple[int, int]] = set()
    for i, (xi, yi) in enumerate(points):
        others = sorted(
            (math.hypot(x - xi, y - yi), j)
            for j, (x, y) in enumerate(points)
            if j != i and (groups is None or groups[j] == groups[i])
        )
        pairs.update((min(i, j), max(i, j)) for _, j in others[:k])
    return sorted(pairs)


def spread(
    points: Sequence[Point], min_distance: float, ties: Sequence[tuple[int, int, float]]
) -> list[Point]:
    """Move the points until none is nearer than `min_distance` to another.

    Each iteration separates every pair closer than the current separation distance
    (half each way, along the line joining them), shortens each tie (i, j, strength)
    longer than `min_distance`, and pulls every point a little back towards where it
    started. The separation distance grows over the first iterations, so a crowded
    place swells evenly and keeps its internal order.
    """
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    n = len(points)
    for step in range(SPREAD_ITERATIONS):
        distance_now = min_distance * min(1.0, 0.1 + step / (GROWTH * SPREAD_ITERATIONS))
        for i in range(n):
            for j in range(i + 1, n):
                dx = xs[j] - xs[i]
                dy = ys[j] - ys[i]
                distance = math.hypot(dx, dy)
                if distance >= distance_now:
                    continue
                if distance < 1e-9:  # the same place: part them in a fixed direction
                    angle = 2.399963 * (i * n + j)
                    dx, dy, distance = math.cos(angle), math.sin(angle), 1.0
                push = (distance_now - distance) / 2 / distance
                xs[i] -= dx * push
                ys[i] -= dy * push
                xs[j] += dx * push
                ys[j] += dy * push
        for i, j, strength in ties:
            dx = xs[j] - xs[i]
            dy = ys[j] - ys[i]
            distance = math.hypot(dx, dy)
            if distance > min_distance:
                pull = strength * (distance - min_distance) / 2 / distance
                xs[i] += dx * pull
                ys[i] += dy * pull
                xs[j] -= dx * pull
                ys[j] -= dy * pull
        for i, (x0, y0) in enumerate(points):
            xs[i] += HOMING * (x0 - xs[i])
            ys[i] += HOMING * (y0 - ys[i])
    return list(zip(xs, ys, strict=True))


def cell_centre(cell: Cell) -> Point:
    """Centre of an odd-r cell, in cell widths (x east, y south)."""
    return cell.col + 0.5 * (cell.row % 2), cell.row * ROW_HEIGHT


def neighbours_of(cell: Cell) -> list[Cell]:
    """The six cells sharing an edge with `cell` (odd-r: odd rows sit half a cell right)."""
    shift = cell.row % 2  # the neighbours above and below are at col-1+shift and col+shift
    return [
        Cell(cell.col - 1, cell.row),
        Cell(cell.col + 1, cell.row),
        Cell(cell.col - 1 + shift, cell.row - 1),
        Cell(cell.col + shift, cell.row - 1),
        Cell(cell.col - 1 + shift, cell.row + 1),
        Cell(cell.col + shift, cell.row + 1),
    ]


def hungarian(cost: Sequence[Sequence[float]]) -> list[int]:
    """Minimum-cost assignment of each row to a distinct column (rows <= columns).

    The classic O(n²m) shortest-augmenting-path algorithm with potentials.
    Returns each row's column.
    """
    n = len(cost)
    m = len(cost[0]) if n else 0
    if n > m:
        raise ValueError("more rows than columns")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    match = [0] * (m + 1)  # match[j]: the 1-based row given column j (0: none yet)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        match[0] = i
        j0 = 0
        minv = [math.inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = match[j0]
            row = cost[i0 - 1]
            u_i0 = u[i0]
            delta = math.inf
            j1 = 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                reduced = row[j - 1] - u_i0 - v[j]
                if reduced < minv[j]:
                    minv[j] = reduced
                    way[j] = j0
                if minv[j] < delta:
                    delta = minv[j]
                    j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    assignment = [0] * n
    for j in range(1, m + 1):
        if match[j]:
            assignment[match[j] - 1] = j - 1
    return assignment


def assign_cells(positions: Sequence[Point], margin: int = 2) -> list[Cell]:
    """Distinct cells for points given in cell widths, minimising squared displacement."""
    rows = [y / ROW_HEIGHT for _, y in positions]
    cols = [x for x, _ in positions]
    row_range = range(math.floor(min(rows)) - margin, math.ceil(max(rows)) + margin + 1)
    col_range = range(math.floor(min(cols)) - margin, math.ceil(max(cols)) + margin + 1)
    cells = [Cell(col, row) for row in row_range for col in col_range]
    centres = [cell_centre(cell) for cell in cells]
    cost = [[(cx - x) ** 2 + (cy - y) ** 2 for cx, cy in centres] for x, y in positions]
    return [cells[j] for j in hungarian(cost)]


def _displacement(position: Point, cell: Cell) -> float:
    cx, cy = cell_centre(cell)
    return (cx - position[0]) ** 2 + (cy - position[1]) ** 2


def close_up(cells: Sequence[Cell], positions: Sequence[Point]) -> list[Cell]:
    """Trade displacement for contact: fill holes and pull stragglers in.

    The cost of a layout is its total squared displacement minus CONTACT for each
    pair of adjacent authorities. Each authority in turn takes the best move to an
    empty cell beside another authority, or swap, within two cells, if it lowers the
    cost; passes repeat until nothing does.
    """
    placed = list(cells)
    at = {cell: i for i, cell in enumerate(placed)}

    def contact(cell: Cell, ignore: tuple[int, ...]) -> float:
        touching = sum(1 for n in neighbours_of(cell) if n in at and at[n] not in ignore)
        return -CONTACT * touching

    def nearby(cell: Cell) -> list[Cell]:
        ring = set(neighbours_of(cell))
        for neighbour in list(ring):
            ring.update(neighbours_of(neighbour))
        ring.discard(cell)
        return sorted(ring)

    for _ in range(MAX_PASSES):
        improved = False
        for i in range(len(placed)):
            a = placed[i]
            best_delta, best_cell = -1e-9, None
            for b in nearby(a):
                j = at.get(b)
                if j is None:
                    if not any(n in at and at[n] != i for n in neighbours_of(b)):
                        continue  # never strand an authority at sea
                    delta = (
                        _displacement(positions[i], b)
                        + contact(b, (i,))
                        - _displacement(positions[i], a)
                        - contact(a, (i,))
                    )
                else:
                    # Swapped, the two touch the same cells: only displacement changes.
                    delta = (
                        _displacement(positions[i], b)
                        + _displacement(positions[j], a)
                        - _displacement(positions[i], a)
                        - _displacement(positions[j], b)
                    )
                if delta < best_delta:
                    best_delta, best_cell = delta, b
            if best_cell is None:
                continue
            improved = True
            j = at.get(best_cell)
            del at[a]
            if j is not None:
                placed[j] = a
                at[a] = j
            placed[i] = best_cell
            at[best_cell] = i
        if not improved:
            break
    return placed


def untangle(
    cells: Sequence[Cell], positions: Sequence[Point], regions: Sequence[str]
) -> list[Cell]:
    """Swap neighbours that sit the wrong way round compared with `positions`.

    Two adjacent authorities swap when that lowers their total squared displacement
    (when they are in the wrong order along the line joining their cells) and adds no
    edge between regions. Repeats until no swap helps.
    """
    placed = list(cells)
    at = {cell: i for i, cell in enumerate(placed)}

    def foreign(i: int, cell: Cell, pair: tuple[int, int]) -> int:
        return sum(
            1
            for n in neighbours_of(cell)
            if (j := at.get(n)) is not None and j not in pair and regions[j] != regions[i]
        )

    for _ in range(MAX_PASSES):
        improved = False
        for i in range(len(placed)):
            for b in neighbours_of(placed[i]):
                j = at.get(b)
                if j is None:
                    continue
                a = placed[i]
                gain = (
                    _displacement(positions[i], a)
                    + _displacement(positions[j], b)
                    - _displacement(positions[i], b)
                    - _displacement(positions[j], a)
                )
                if gain <= 1e-9:
                    continue
                pair = (i, j)
                before = foreign(i, a, pair) + foreign(j, b, pair)
                if foreign(i, b, pair) + foreign(j, a, pair) > before:
                    continue
                placed[i], placed[j] = b, a
                at[a], at[b] = j, i
                improved = True
        if not improved:
            break
    return placed


def normalise(cells: Sequence[Cell]) -> list[Cell]:
    """Shift the cells so the first column and row are 0.

    Rows move by an even number only, which keeps odd rows odd (an odd shift would
    turn the grid into "even-r"); if the top row is odd, row 0 stays empty.
    """
    col0 = min(c.col for c in cells)
    row0 = min(c.row for c in cells)
    row0 -= row0 % 2
    return [Cell(c.col - col0, c.row - row0) for c in cells]


def layout(centroids: Sequence[Centroid], regions: Mapping[str, str]) -> dict[str, Cell]:
    """Each authority's cell, by ONS code; `regions` gives each ONS code's region.

    Pure and deterministic.
    """
    ordered = sorted(centroids, key=lambda c: c.ons_code)
    region_of = [regions[c.ons_code] for c in ordered]
    points = swell(project(ordered), [r == SWOLLEN_REGION for r in region_of], CELL_KM)
    ties = [(i, j, COHESION) for i, j in nearest_neighbours(points, NEIGHBOURS)]
    ties += [
        (i, j, REGION_COHESION) for i, j in nearest_neighbours(points, REGION_NEIGHBOURS, region_of)
    ]
    spread_out = [(x / CELL_KM, y / CELL_KM) for x, y in spread(points, CELL_KM, ties)]
    cells = close_up(assign_cells(spread_out), spread_out)
    geography = [(x / CELL_KM, y / CELL_KM) for x, y in points]
    cells = untangle(cells, geography, region_of)
    return {c.ons_code: cell for c, cell in zip(ordered, normalise(cells), strict=True)}


def hexmap(centroids: Sequence[Centroid], authorities: Iterable[Authority]) -> dict[str, Any]:
    """The JSON document: the grid's size and each authority's cell and details."""
    by_code = {a.ons_code: a for a in authorities}
    codes = [c.ons_code for c in centroids]
    if len(set(codes)) != len(codes):
        raise ValueError("an authority has two centroids")
    if missing := sorted(set(by_code) - set(codes)):
        raise ValueError(f"no centroid for {', '.join(missing)}: add it to centroids.csv")
    if unknown := sorted(set(codes) - set(by_code)):
        raise ValueError(f"not in the reference list: {', '.join(unknown)}")
    cells = layout(centroids, {code: a.region for code, a in by_code.items()})
    return {
        "layout": "odd-r",
        "columns": max(c.col for c in cells.values()) + 1,
        "rows": max(c.row for c in cells.values()) + 1,
        "hexes": {
            code: {
                "col": cell.col,
                "row": cell.row,
                "la_code": by_code[code].la_code,
                "name": by_code[code].name,
                "region": by_code[code].region,
            }
            for code, cell in sorted(cells.items())
        },
    }


def dumps(document: Mapping[str, Any]) -> str:
    """JSON with sorted keys, one authority per line."""
    parts = []
    for key in sorted(document):
        if key == "hexes":
            hexes: Mapping[str, Any] = document[key]
            lines = [
                f"  {json.dumps(code)}: {json.dumps(hexes[code], sort_keys=True)}"
                for code in sorted(hexes)
            ]
            parts.append('"hexes": {\n' + ",\n".join(lines) + "\n}")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(document[key], sort_keys=True)}")
    return "{" + ", ".join(parts) + "}\n"


def main() -> None:
    document = hexmap(read_centroids(), read_authorities())
    OUTPUT.write_text(dumps(document), encoding="utf-8")
    print(  # noqa: T201
        f"{OUTPUT.relative_to(ROOT)}: {len(document['hexes'])} authorities, "
        f"{document['columns']} columns x {document['rows']} rows"
    )


if __name__ == "__main__":
    main()
