import pytest

from findings_shared.local_authorities import (
    all_local_authorities,
    find_local_authority,
    local_authority_by_code,
)


@pytest.mark.parametrize(
    ("text", "la_code"),
    [
        ("within the London Borough of Wandsworth Council children's services", "212"),
        ("in Wolverhampton City Council which was conducted", "336"),
        ("Inspection of Kingston upon Hull City Council", "810"),
        ("Inspection of Bournemouth, Christchurch and Poole local authority", "839"),
        ("Inspection of Poole local authority children's services", "836"),
        ("Inspection of City of Bristol", "801"),
        ("Inspection of North Yorkshire local authority", "815"),
        ("Inspection of City of York Council", "816"),
        ("Inspection of Westmorland and Furness local authority", "943"),
        ("St Helens Metropolitan Borough Council", "342"),
        ("Telford & Wrekin", "894"),
        ("Southend-on-Sea City Council", "882"),
        # Short forms as printed: the part before "upon", "-on-", or two words before "of"
        ("East Riding Council", "811"),
        ("Newcastle City Council children's services", "391"),
        ("Stoke-on-Trent", "861"),
        ("Inspection of Stoke local authority children's services", "861"),
    ],
)
def test_authorities_are_found_from_any_printed_form(text: str, la_code: str) -> None:
    authority = find_local_authority(text)
    assert authority is not None
    assert authority.la_code == la_code


def test_no_authority_in_unrelated_text() -> None:
    assert find_local_authority("The quality of plans is variable.") is None
    # A short form two authorities share is no one's (Kingston upon Thames, upon Hull).
    assert find_local_authority("Kingston") is None
    # "of" short forms need two words: the Isle of Wight is never "Isle".
    assert find_local_authority("the Isle was quiet") is None


def test_the_table_is_complete_and_tidy() -> None:
    authorities = all_local_authorities()
    assert len(authorities) >= 150
    assert len({a.la_code for a in authorities}) == len(authorities)
    for authority in authorities:
        assert len(authority.la_code) == 3
        assert authority.la_code.isdigit()
        assert authority.ons_code.startswith("E")
        assert authority.ofsted_urn.isdigit()
    wandsworth = local_authority_by_code("212")
    assert wandsworth is not None
    assert wandsworth.ons_code == "E09000032"
    assert len(wandsworth.stat_neighbours) == 10
