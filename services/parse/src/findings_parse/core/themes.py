"""Themes of a finding: which topics of the taxonomy (docs/themes.md) it is about.

Phrase matching (Aho-Corasick, `pyahocorasick`) over the normalised text, whole words only,
the longest phrase winning where two overlap ("education, health and care plan" is SEND
support, not education). Some phrases are too general alone and count only beside a word
that places them ("accommodation" is a care leaver's when the finding is about care
leavers). A passing mention gives nothing: the items of an enumeration of several themes,
and a team or service named after the first sentence. Pure: no I/O, no model;
`THEMES_VERSION` changes whenever the lists or the rules do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import ahocorasick

from findings_shared.events import THEME_AREA, PracticeArea, Theme, ThemeTag

THEMES_VERSION = "2"

_CARE_LEAVER_CONTEXT = (
    "care leaver",
    "care leavers",
    "care-experienced",
    "care experienced",
    "leaving care",
    "left care",
    "personal adviser",
    "personal advisers",
    "pathway plan",
    "pathway plans",
    "young adults",
    "care leaving",
)
_CHILD_IN_CARE_CONTEXT = (
    "children in care",
    "child in care",
    "looked after",
    "cared for",
    "care leaver",
    "care leavers",
    "children we care for",
    "virtual school",
    "children in our care",
    "children who are in care",
)


@dataclass(frozen=True, slots=True)
class Phrases:
    theme: Theme
    # Counted wherever they occur.
    phrases: tuple[str, ...]
    # Counted only when the finding also holds one of `context`.
    general: tuple[str, ...] = ()
    context: tuple[str, ...] = ()


T = Theme
PHRASES: tuple[Phrases, ...] = (
    Phrases(
        T.FRONT_DOOR,
        (
            "front door",
            "multi-agency safeguarding hub",
            "mash",
            "contacts and referrals",
            "contact and referral",
            "re-referrals",
            "re-referral",
            "thresholds",
            "threshold decisions",
            "children's advice and duty service",
            "single point of contact",
            "first response",
        ),
    ),
    Phrases(
        T.EARLY_HELP,
        (
            "early help",
            "early intervention",
            "family help",
            "targeted help",
            "targeted support",
            "troubled families",
            "supporting families",
            "family hubs",
            "family hub",
            "children's centres",
            "children's centre",
            "early help assessment",
            "common assessment framework",
        ),
    ),
    Phrases(
        T.STRATEGY_AND_ENQUIRIES,
        (
            "strategy discussion",
            "strategy discussions",
            "strategy meeting",
            "strategy meetings",
            "section 47",
            "s47",
            "child protection enquiries",
            "child protection enquiry",
            "child protection investigations",
            "joint investigation",
            "joint investigations",
            "achieving best evidence",
            "child protection medical",
            "child protection medicals",
        ),
    ),
    Phrases(
        T.CHILD_PROTECTION_PLANS,
        (
            "child protection plan",
            "child protection plans",
            "child protection conference",
            "child protection conferences",
            "initial child protection conference",
            "review child protection conference",
            "core group",
            "core groups",
            "subject to a plan",
            "subject to child protection",
            "repeat plans",
            "second or subsequent",
            "child protection chair",
            "child protection chairs",
            "child protection planning",
            "conference chair",
            "conference chairs",
        ),
    ),
    Phrases(
        T.CHILDREN_IN_NEED,
        (
            "child in need plan",
            "child in need plans",
            "children in need plans",
            "child in need meeting",
            "child in need meetings",
            "child in need reviews",
            "section 17",
        ),
    ),
    Phrases(
        T.DOMESTIC_ABUSE,
        (
            "domestic abuse",
            "domestic violence",
            "marac",
            "multi-agency risk assessment conference",
            "coercive control",
            "controlling behaviour",
            "operation encompass",
            "intimate partner",
        ),
    ),
    Phrases(
        T.NEGLECT,
        (
            "neglect",
            "neglected",
            "neglectful",
            "graded care profile",
            "cumulative harm",
            "chronic neglect",
        ),
    ),
    Phrases(
        T.PARENTAL_FACTORS,
        (
            "parental mental health",
            "parents' mental health",
            "parental substance misuse",
            "substance misuse",
            "substance use",
            "alcohol misuse",
            "drug misuse",
            "drug and alcohol",
            "drugs and alcohol",
            "alcohol and drug",
            "toxic trio",
            "parental learning disability",
            "parents with learning disabilities",
            "adult mental health",
            "parental mental ill health",
            "parental drug",
            "parental alcohol",
        ),
    ),
    Phrases(
        T.EXPLOITATION,
        (
            "exploitation",
            "exploited",
            "child sexual exploitation",
            "cse",
            "criminal exploitation",
            "cce",
            "county lines",
            "gang",
            "gangs",
            "gang-affiliated",
            "trafficking",
            "trafficked",
            "modern slavery",
            "national referral mechanism",
            "extra-familial",
            "extrafamilial",
            "contextual safeguarding",
            "radicalisation",
            "serious youth violence",
            "knife crime",
            "sexually exploited",
            "harmful sexual behaviour",
            "risk outside the home",
            "risks outside the home",
            "harm outside the home",
        ),
    ),
    Phrases(
        T.MISSING_CHILDREN,
        (
            "missing from home",
            "missing from care",
            "go missing",
            "goes missing",
            "went missing",
            "going missing",
            "missing episodes",
            "missing episode",
            "return home interview",
            "return home interviews",
            "return interviews",
            "return interview",
            "missing children",
            "children who are missing",
            "who are reported missing",
            "reported missing",
            "missing incidents",
        ),
    ),
    Phrases(
        T.MISSING_EDUCATION,
        (
            "missing education",
            "missing from education",
            "elective home education",
            "electively home educated",
            "home educated",
            "elective home educated",
            "part-time timetable",
            "part-time timetables",
            "reduced timetable",
            "reduced timetables",
            "children missing education",
            "off-rolling",
            "off rolling",
        ),
    ),
    Phrases(
        T.PRIVATE_FOSTERING,
        ("private fostering", "privately fostered", "private foster"),
    ),
    Phrases(
        T.HOMELESS_16_17,
        (
            "homeless",
            "homelessness",
            "16- and 17-year-olds",
            "16 and 17 year olds",
            "16- and 17-year-old",
            "16 and 17-year-olds",
            "16 and 17 year old",
            "16- and 17-year olds",
            "16 and 17-year old",
            "southwark judgment",
            "southwark judgement",
            "housing protocol",
            "joint housing protocol",
        ),
    ),
    Phrases(
        T.LADO,
        (
            "lado",
            "local authority designated officer",
            "designated officer",
            "designated officers",
            "allegations against",
            "allegations management",
            "allegations about professionals",
            "people who work with children",
            "adults who work with children",
            "professionals who work with children",
        ),
    ),
    Phrases(
        T.DISABLED_CHILDREN,
        (
            "disabled children",
            "disabled child",
            "children with disabilities",
            "children with a disability",
            "disabled young people",
            "children's disability",
            "children with complex needs",
            "short breaks",
            "short break",
            "disabilities team",
            "disability team",
            "children with additional needs",
        ),
    ),
    Phrases(
        T.OUT_OF_HOURS,
        (
            "emergency duty",
            "out of hours",
            "out-of-hours",
            "emergency duty team",
            "emergency duty service",
        ),
    ),
    Phrases(
        T.PRE_PROCEEDINGS,
        (
            "pre-proceedings",
            "pre proceedings",
            "public law outline",
            "plo",
            "letter before proceedings",
            "letters before proceedings",
            "care proceedings",
            "court proceedings",
            "family court",
            "cafcass",
            "legal planning",
            "legal gateway",
            "legal planning meeting",
            "edge of care",
            "legal threshold",
            "court work",
            "court applications",
            "court application",
        ),
    ),
    Phrases(
        T.YOUNG_CARERS,
        ("young carer", "young carers"),
    ),
    Phrases(
        T.ENTERING_CARE,
        (
            "come into care",
            "coming into care",
            "came into care",
            "comes into care",
            "enter care",
            "entering care",
            "entered care",
            "section 20",
            "s20",
            "reunification",
            "reunified",
            "decisions to accommodate",
            "decision to accommodate",
            "voluntary accommodation",
            "becoming looked after",
            "become looked after",
            "became looked after",
        ),
    ),
    Phrases(
        T.CARE_PLANNING,
        (
            "care plan",
            "care plans",
            "care planning",
            "looked after reviews",
            "looked after review",
            "reviews for children in care",
            "children in care reviews",
            "child in care reviews",
            "statutory reviews",
            "statutory visits",
            "statutory visit",
            "placement plans",
            "placement plan",
        ),
        general=("reviews", "visits", "visited", "visiting"),
        context=_CHILD_IN_CARE_CONTEXT,
    ),
    Phrases(
        T.PERMANENCE,
        (
            "permanence",
            "permanency",
            "adoption",
            "adopted",
            "adopters",
            "adoptive",
            "special guardianship",
            "special guardianship order",
            "special guardianship orders",
            "special guardians",
            "sgo",
            "sgos",
            "long-term fostering",
            "long-term foster",
            "long-term matching",
            "long-term match",
            "placed with parents",
            "placement with parents",
            "placements with parents",
            "early permanence",
            "fostering for adoption",
            "foster to adopt",
            "regional adoption agency",
            "placement order",
            "placement orders",
            "child arrangements order",
            "child arrangements orders",
            "discharge of care orders",
            "parallel planning",
            "twin-track",
        ),
    ),
    Phrases(
        T.PLACEMENT_SUFFICIENCY,
        (
            "sufficiency",
            "placement stability",
            "stability of placements",
            "placement moves",
            "placement move",
            "moves of placement",
            "placement breakdown",
            "placement breakdowns",
            "placement disruption",
            "placement choice",
            "choice of placements",
            "choice of placement",
            "range of placements",
            "placements at a distance",
            "out of area",
            "out-of-area",
            "unregistered",
            "unregulated",
            "children's homes",
            "children's home",
            "placement availability",
            "lack of placements",
            "lack of suitable placements",
        ),
    ),
    Phrases(
        T.FOSTER_AND_KINSHIP_CARERS,
        (
            "foster carers",
            "foster carer",
            "fostering",
            "foster families",
            "foster family",
            "kinship",
            "kinship carers",
            "connected carers",
            "connected persons",
            "family and friends carers",
            "family and friends care",
            "viability assessments",
            "viability assessment",
            "regulation 24",
            "fostering panel",
            "fostering service",
            "in-house foster",
            "independent fostering",
            "mockingbird",
        ),
    ),
    Phrases(
        T.FAMILY_TIME,
        (
            "family time",
            "contact with their families",
            "contact with their family",
            "contact with family",
            "contact with their parents",
            "contact with parents",
            "contact with brothers and sisters",
            "contact with siblings",
            "contact with their brothers and sisters",
            "contact with their siblings",
            "brothers and sisters",
            "sibling assessments",
            "together assessments",
            "contact arrangements",
            "people who are important to them",
            "people who matter to them",
        ),
    ),
    Phrases(
        T.IDENTITY_AND_LIFE_STORY,
        (
            "life story",
            "life-story",
            "later life letters",
            "later-life letters",
            "later life letter",
            "later-life letter",
            "life journey",
            "memory boxes",
            "memory box",
            "understand their history",
            "understand their histories",
            "their life stories",
            "why they are in care",
            "why they came into care",
            "their identity",
        ),
    ),
    Phrases(
        T.UNACCOMPANIED_CHILDREN,
        (
            "unaccompanied",
            "asylum",
            "asylum-seeking",
            "uasc",
            "age assessment",
            "age assessments",
            "national transfer scheme",
            "refugee",
            "refugees",
            "separated children",
            "separated migrant",
            "immigration",
        ),
    ),
    Phrases(
        T.IRO,
        (
            "independent reviewing officer",
            "independent reviewing officers",
            "iro",
            "iros",
            "reviewing officers",
            "reviewing officer",
            "dispute resolution",
            "escalation process",
            "independent reviewing service",
            "iro service",
        ),
    ),
    Phrases(
        T.CORPORATE_PARENTING,
        (
            "corporate parenting",
            "corporate parents",
            "corporate parent",
            "corporate parenting board",
            "corporate parenting panel",
            "corporate parenting strategy",
            "corporate parenting responsibilities",
        ),
    ),
    Phrases(
        T.YOUTH_JUSTICE,
        (
            "youth justice",
            "youth offending",
            "yot",
            "remanded",
            "young offender",
            "secure estate",
            "criminalisation",
            "criminalised",
            "youth court",
        ),
    ),
    Phrases(
        T.PATHWAY_PLANNING,
        (
            "pathway plan",
            "pathway plans",
            "pathway planning",
            "personal adviser",
            "personal advisers",
            "personal advisors",
            "personal advisor",
            "independence skills",
            "independent living skills",
            "preparation for independence",
            "preparing for independence",
            "prepare for independence",
            "prepared for adulthood",
            "transition to adulthood",
            "leaving care team",
            "leaving care service",
            "care leavers' service",
            "care leavers service",
        ),
        general=("pas", "their pa", "a pa"),
        context=_CARE_LEAVER_CONTEXT,
    ),
    Phrases(
        T.CARE_LEAVERS_ACCOMMODATION,
        (
            "staying put",
            "staying close",
            "bed and breakfast",
            "b&b",
            "unsuitable accommodation",
            "suitable accommodation",
            "supported accommodation",
            "supported lodgings",
            "semi-independent",
            "semi independent",
        ),
        general=(
            "accommodation",
            "housing",
            "homes",
            "tenancy",
            "tenancies",
            "homeless",
            "homelessness",
            "where they live",
            "place to live",
            "live independently",
            "living independently",
        ),
        context=_CARE_LEAVER_CONTEXT,
    ),
    Phrases(
        T.EDUCATION_EMPLOYMENT_TRAINING,
        (
            "education, employment or training",
            "education, employment and training",
            "employment, education or training",
            "employment, education and training",
            "not in education",
            "neet",
            "eet",
        ),
        general=(
            "apprenticeship",
            "apprenticeships",
            "university",
            "universities",
            "higher education",
            "further education",
            "college",
            "employment",
            "jobs",
            "work experience",
            "traineeships",
            "training opportunities",
            "bursary",
        ),
        context=_CARE_LEAVER_CONTEXT,
    ),
    Phrases(
        T.LOCAL_OFFER,
        (
            "local offer for care leavers",
            "care leavers' local offer",
            "care leaver local offer",
            "council tax exemption",
            "leaving care grant",
            "setting up home allowance",
            "health passport",
            "health passports",
            "health histories",
            "health history",
            "care leavers' hub",
            "care leavers hub",
            "care leaver hub",
            "care leavers' forum",
            "care leaver covenant",
            "care leavers covenant",
            "protected characteristic",
        ),
        general=("local offer", "their rights", "financial support"),
        context=_CARE_LEAVER_CONTEXT,
    ),
    Phrases(
        T.EDUCATION,
        (
            "virtual school",
            "virtual head",
            "virtual headteacher",
            "personal education plan",
            "personal education plans",
            "peps",
            "pep",
            "exclusion",
            "exclusions",
            "attainment",
            "educational progress",
            "pupil premium",
            "designated teachers",
            "designated teacher",
            "key stage",
            "gcse",
            "gcses",
        ),
        general=("education", "educational", "school", "schools", "excluded", "attendance"),
        context=(
            *_CHILD_IN_CARE_CONTEXT,
            "children we look after",
            "send",
            "special educational needs",
            "ehc",
            "social worker",
            "social workers",
            "child in need",
            "children in need",
            "child protection plan",
            "child protection plans",
        ),
    ),
    Phrases(
        T.HEALTH,
        (
            "health assessment",
            "health assessments",
            "initial health assessment",
            "initial health assessments",
            "review health assessment",
            "review health assessments",
            "immunisations",
            "immunisation",
            "dental",
            "dentist",
            "health visitor",
            "health visitors",
            "health visiting",
            "physical health",
            "school nurse",
            "school nurses",
            "school nursing",
            "designated nurse",
            "designated doctor",
            "looked after children's nurse",
            "sexual health",
        ),
    ),
    Phrases(
        T.EMOTIONAL_MENTAL_HEALTH,
        (
            "emotional wellbeing",
            "emotional well-being",
            "emotional health",
            "mental health",
            "camhs",
            "child and adolescent mental health",
            "strengths and difficulties questionnaire",
            "strengths and difficulties questionnaires",
            "sdq",
            "sdqs",
            "therapist",
            "self-harm",
            "self harm",
            "suicide",
            "suicidal",
            "trauma-informed",
            "psychologist",
        ),
    ),
    Phrases(
        T.SEND_SUPPORT,
        (
            "education, health and care plan",
            "education, health and care",
            "education health and care",
            "education, health and care plans",
            "education health and care plan",
            "education health and care plans",
            "ehc plan",
            "ehc plans",
            "ehcp",
            "ehcps",
            "ehc needs assessment",
            "ehc needs assessments",
            "ehc assessment",
            "ehc assessments",
            "special educational needs",
            "sen support",
            "senco",
            "sencos",
            "preparation for adulthood",
            "preparing for adulthood",
            "identification of needs",
            "send code of practice",
            "sendiass",
            "parent carer forum",
            "neurodevelopmental",
            "autism",
            "autistic",
            "occupational therapy",
            "physiotherapy",
            "special school",
            "special schools",
        ),
    ),
    Phrases(
        T.ASSESSMENT,
        (
            "single assessment",
            "single assessments",
            "reassessment",
            # Said of a service's assessments ("assessments are timely"), where "an
            # assessment" is as often one step of another theme's work.
            "assessments",
        ),
    ),
    Phrases(
        T.PLANS,
        (
            "smart",
            "plans do not",
            "plans lack",
            "plans are not",
            "plans are specific",
            "plans are vague",
            "quality of plans",
            "contingency plans",
            "contingency planning",
            "outcome-focused",
            "outcomes-focused",
        ),
    ),
    Phrases(
        T.CHILD_VOICE,
        (
            "voice of the child",
            "voice of children",
            "child's voice",
            "children's voices",
            "children's voice",
            "voices of children",
            "wishes and feelings",
            "direct work",
            "seen alone",
            "seen on their own",
            "see children alone",
            "advocacy",
            "advocate",
            "advocates",
            "independent visitor",
            "independent visitors",
            "views and wishes",
        ),
    ),
    Phrases(
        T.RECORDING,
        (
            "case records",
            "case recording",
            "case record",
            "chronologies",
            "chronology",
            "case summaries",
            "case summary",
            "written to the child",
            "written to children",
            "written directly to",
            "case notes",
            "on children's files",
            "children's files",
        ),
    ),
    Phrases(
        T.DRIFT_AND_DELAY,
        (
            "drift",
            "not progressed",
            "lack of progress",
            "prolonged",
        ),
    ),
    Phrases(
        T.DIVERSITY_AND_IDENTITY,
        (
            "ethnicity",
            "racism",
            "language needs",
            "first language",
            "interpreter",
            "interpreters",
            "sexuality",
            "sexual orientation",
            "gender identity",
            "lgbt",
            "lgbtq",
            "lgbtq+",
            "protected characteristics",
            "identity needs",
            "disproportionality",
            "black and minority ethnic",
            "global majority",
        ),
    ),
    Phrases(
        T.MANAGEMENT_OVERSIGHT,
        (
            "management oversight",
            "managerial oversight",
            "manager oversight",
            "managers' oversight",
            "oversight by managers",
            "oversight from managers",
            "management direction",
            "management decision",
            "management decisions",
            "management grip",
            "managers' decisions",
            "managers' decision-making",
            "oversight of practice",
            "oversight and direction",
            "managerial grip",
        ),
    ),
    Phrases(
        T.SUPERVISION,
        (
            "supervision",
            "supervisions",
            "reflective supervision",
            "group supervision",
            "supervisory",
            "supervisors",
            "supervised",
            "case discussions",
            "case discussion",
        ),
    ),
    Phrases(
        T.WORKFORCE,
        (
            "workforce",
            "caseload",
            "caseloads",
            "case load",
            "case loads",
            "workload",
            "workloads",
            "recruitment",
            "retention",
            "agency staff",
            "agency social workers",
            "agency workers",
            "locum",
            "turnover",
            "vacancies",
            "vacancy",
            "staff changes",
            "changes of social worker",
            "changes in social worker",
            "change of social worker",
            "changes in social workers",
            "many social workers",
            "several social workers",
            "number of social workers",
            "stable workforce",
            "permanent social workers",
            "high caseloads",
            "social work academy",
            "newly qualified",
            "international recruitment",
        ),
    ),
    Phrases(
        T.LEARNING_AND_DEVELOPMENT,
        (
            "learning and development",
            "workforce development",
            "new social workers",
            "professional development",
            "continuing professional development",
            "cpd",
            "asye",
            "assessed and supported year",
            "practice model",
            "practice framework",
            "model of practice",
            "signs of safety",
            "signs of wellbeing",
            "restorative practice",
            "systemic practice",
            "practice standards",
            "learning culture",
            "career progression",
            "career pathway",
            "practice weeks",
            "practice week",
            "academy",
            "coaching",
            "mentoring",
        ),
    ),
    Phrases(
        T.QUALITY_ASSURANCE,
        (
            "quality assurance",
            "quality-assurance",
            "audit",
            "audits",
            "auditing",
            "audited",
            "auditors",
            "moderation",
            "performance management",
            "performance information",
            "performance data",
            "performance reports",
            "performance framework",
            "management information",
            "self-assessment",
            "self-evaluation",
            "self evaluation",
            "know themselves",
            "know themselves well",
            "knowledge of their services",
            "understanding of practice",
            "understanding of the quality",
            "scorecard",
            "performance clinics",
            "performance meetings",
            "learning reviews",
            "performance monitoring",
            "monitor performance",
            "monitoring performance",
            "monitoring and evaluation",
            "key performance indicators",
            "trend analysis",
            "evaluate the quality",
            "evaluation of practice",
        ),
    ),
    Phrases(
        T.PARTNERSHIPS,
        (
            "partnership",
            "partnerships",
            "partner agencies",
            "multi-agency",
            "multiagency",
            "inter-agency",
            "safeguarding partners",
            "safeguarding partnership",
            "safeguarding children partnership",
            "lscb",
            "local safeguarding children board",
            "safeguarding board",
            "information sharing",
            "share information",
            "sharing of information",
            "joint working",
            "icb",
            "integrated care board",
            "clinical commissioning group",
            "ccg",
            "ccgs",
        ),
    ),
    Phrases(
        T.PARTICIPATION,
        (
            "participation",
            "children in care council",
            "children in care councils",
            "child in care council",
            "children in care council's",
            "care leavers council",
            "care leavers' council",
            "youth council",
            "youth voice",
            "young people's forum",
            "co-produce",
            "co-produced",
            "co-production",
            "coproduction",
            "feedback from children",
            "feedback from young people",
            "feedback from families",
            "young inspectors",
            "shape services",
            "shaping services",
            "influence services",
            "young advisers",
            "children's participation",
        ),
    ),
    Phrases(
        T.CORPORATE_LEADERSHIP,
        (
            "chief executive",
            "lead member",
            "lead members",
            "elected members",
            "councillors",
            "council leader",
            "leader of the council",
            "political leadership",
            "political and corporate",
            "corporate leadership",
            "corporate support",
            "director of children's services",
            "dcs",
            "budget",
            "budgets",
            "financial investment",
            "improvement board",
            "improvement partner",
            "commissioner",
            "statutory direction",
        ),
    ),
)


# Too general to place a finding alone: a theme given by these needs two of them (or one
# of its other phrases) in the finding ("leaders" alone is not corporate leadership).
WEAK: dict[Theme, tuple[str, ...]] = {
    T.CORPORATE_LEADERSHIP: (
        "scrutiny",
        "strategic",
        "strategy",
        "vision",
        "ambition",
        "resources",
        "investment",
        "invested",
        "direction",
        "improvement plan",
        "improvement plans",
        "improvement journey",
    ),
    T.DRIFT_AND_DELAY: (
        "delay",
        "delays",
        "delayed",
        "untimely",
        "slow to",
        "too long",
        "wait too long",
        "waited too long",
        "waiting too long",
        "take too long",
    ),
    T.ASSESSMENT: (
        "assessment",
        "assessed",
        "assessing",
        "analysis",
        "risk assessment",
        "analysis of risk",
    ),
    T.EDUCATION: ("education", "educational", "school", "schools", "excluded", "attendance"),
    T.PARTNERSHIPS: (
        "partners",
        "police",
        "agencies",
        "other agencies",
        "working together",
        "work together",
        "integrated",
        "probation",
        "schools and",
        "health partners",
        "professionals network",
        "health services",
        "health professionals",
        "health representation",
        "health and social care",
        "health and police",
        "police and health",
        "the board",
    ),
    T.PLACEMENT_SUFFICIENCY: (
        "commissioning",
        "matching",
        "stability",
        "residential",
        "commissioned",
        "disruption",
        "stable placements",
        "stable placement",
        "far from home",
        "miles from",
        "a distance from",
        "shortage of",
        "several moves",
        "multiple moves",
        "moved placements",
        "deprivation of liberty",
    ),
    T.LEARNING_AND_DEVELOPMENT: (
        "training",
        "trained",
        "restorative",
        "systemic",
        "strengths-based",
        "workshops",
        "lessons learned",
        "learning from",
        "development opportunities",
        "mentor",
    ),
    T.MANAGEMENT_OVERSIGHT: (
        "oversight",
        "team managers",
        "team manager",
        "decision-making",
        "decisions are",
        "managers provide",
        "practice supervisors",
        "managers do not",
        "managers have not",
    ),
    T.FRONT_DOOR: (
        "referrals",
        "threshold",
        "screening",
        "consent",
        "step-down",
        "step down",
        "stepped down",
        "step-up",
        "stepped up",
        "initial response",
        "duty and assessment",
    ),
    T.CHILD_VOICE: (
        "their views",
        "children's views",
        "views of children",
        "child's views",
        "lived experience",
        "what children say",
        "children's experiences",
        "daily lives",
        "daily life",
        "know their social workers well",
        "know children well",
        "relationships with their social workers",
        "relationships with children",
    ),
    T.PLANS: (
        "measurable",
        "timescales",
        "specific actions",
        "plans are",
        "plans that",
        "plans include",
        "plans set out",
        "plans have",
        "contingency",
        "planning for children",
        "actions in plans",
        "plans are clear",
        "plans are detailed",
    ),
    T.HEALTH: (
        "health needs",
        "gp",
        "gps",
        "healthcare",
        "health care",
    ),
    T.DIVERSITY_AND_IDENTITY: (
        "culture",
        "cultural",
        "culturally",
        "heritage",
        "faith",
        "race",
        "religion",
        "religious",
        "ethnic",
        "equality",
        "diversity",
    ),
    T.RECORDING: ("recording", "recordings", "records", "recorded", "on file", "case files"),
    T.ENTERING_CARE: (
        "into care",
        "accommodated",
        "return home",
        "returned home",
        "returning home",
    ),
    T.CHILDREN_IN_NEED: ("children in need", "child in need"),
    T.YOUTH_JUSTICE: ("custody", "offending", "pace", "remand", "police custody"),
    T.SEND_SUPPORT: (
        "send",
        "mainstream",
        "annual review",
        "annual reviews",
        "local offer",
        "identify needs",
        "speech and language",
    ),
    T.EMOTIONAL_MENTAL_HEALTH: (
        "therapeutic",
        "therapy",
        "trauma",
        "psychological",
        "emotional support",
        "emotional needs",
        "counselling",
    ),
    T.QUALITY_ASSURANCE: ("data", "dashboard", "dashboards", "quality of practice"),
    T.WORKFORCE: (
        "capacity",
        "manageable",
        "interim",
        "recruit",
        "recruited",
        "retain",
        "staffing",
        "morale",
        "sickness",
        "academy",
        "permanent staff",
    ),
    T.PARTICIPATION: ("forum", "forums", "consultation", "apprentices"),
    T.DOMESTIC_ABUSE: ("perpetrator", "perpetrators"),
    T.DISABLED_CHILDREN: (
        "complex needs",
        "adult social care",
        "transition to adult",
        "transitions to adult",
        "transition to adulthood",
    ),
    T.MISSING_EDUCATION: ("alternative provision",),
    T.PERMANENCE: ("permanent", "permanently", "later life", "revocation"),
    T.FOSTER_AND_KINSHIP_CARERS: ("supervising social workers",),
    T.LOCAL_OFFER: ("entitlement", "entitlements", "drop-in", "council tax"),
    T.PATHWAY_PLANNING: ("keep in touch", "in touch with", "after care", "aftercare"),
    T.FAMILY_TIME: ("sibling", "siblings", "family relationships", "keep in touch with"),
    T.PRE_PROCEEDINGS: ("proceedings", "the court", "26 weeks", "26-week"),
}

# Phrases that hold a theme's word but say nothing of it ("without delay").
IGNORED = (
    "without delay",
    "no delay",
    "no delays",
    "in a timely way",
    "the local offer for send",
    "local area partnership",
)


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-", "‐": "-", "‑": "-"})


def normalise(text: str) -> str:
    """Lower case, one kind of apostrophe and hyphen, single spaces."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):  # a ligature, a wide character
            text = unicodedata.normalize("NFKC", text)
        text = text.translate(_APOSTROPHES)
    return " ".join(text.lower().split())


@dataclass(frozen=True, slots=True)
class _Entry:
    phrase: str
    theme: Theme
    contextual: bool  # counts only beside one of its theme's context words
    weak: bool  # counts only twice, or beside another of its theme's phrases


def _variants(key: str) -> set[str]:
    """A phrase as reports write it: with or without a plural "s", hyphenated or not
    ("edge of care", "edge-of-care"; "multi-agency", "multi agency")."""
    forms = {key, key.replace("-", " ")}
    if " " in key and len(key.split()) <= 4:
        forms.add(key.replace(" ", "-"))
    return forms | {form + "s" for form in forms if not form.endswith("s")}


@cache
def _automaton() -> tuple[ahocorasick.Automaton, dict[Theme, re.Pattern[str]]]:
    automaton = ahocorasick.Automaton()
    entries: dict[str, list[_Entry]] = {}
    contexts: dict[Theme, re.Pattern[str]] = {}
    for group in PHRASES:
        placing = "|".join(re.escape(normalise(word)) for word in group.context)
        contexts[group.theme] = re.compile(rf"(?<!\w)(?:{placing or '(?!)'})(?!\w)")
        weak = {normalise(word) for word in WEAK.get(group.theme, ())}
        words = [
            *group.phrases,
            *(w for w in WEAK.get(group.theme, ()) if w not in group.phrases + group.general),
        ]
        for phrase, contextual in [(w, False) for w in words] + [(w, True) for w in group.general]:
            key = normalise(phrase)
            entry = _Entry(key, group.theme, contextual, key in weak)
            for variant in _variants(key):
                entries.setdefault(variant, []).append(entry)
    for phrase in IGNORED:
        entries.setdefault(normalise(phrase), [])
    for key, values in entries.items():
        automaton.add_word(key, (key, tuple(values)))
    automaton.make_automaton()
    return automaton, contexts


_TAXONOMY_ORDER = tuple(Theme)

# An enumeration: its items separated by a comma, "and" or "or" with at most three other
# words between ("the police, early help teams and health services").
_LIST_GAP = re.compile(r"^(?:[\w'-]+ ){0,3}?(?:,|, and|, or|and|or|/)(?: [\w'-]+){0,3}$")
# An enumeration of cues of at least this many themes is a list of services or topics: a
# passing mention of each ("key priorities of child sexual exploitation, domestic abuse
# and neglect").
LIST_THEMES = 3
# A cue that names a team, service or panel ("the edge of care team", "the leaving care
# service") is a passing mention unless it is the subject of the finding's first sentence.
_NAME_AFTER = re.compile(
    r"(?:'s?)? (?:team|teams|service|panel|sub-group|subgroup|hub|board|unit)\b"
)
_NAME_ENDINGS = (" team", " service", " panel", " board")
_SENTENCE_END = re.compile(r"[.!?;]\s")
# A finding that starts with care leavers and names none of their narrower themes is about
# their support and its planning ("Care leavers are very positive about the support…").
_CARE_LEAVER_SUBJECT = re.compile(
    r"^(?:[\w'-]+ ){0,2}?(care leavers?|care-experienced young (?:people|adults))(?!\w)"
)

_Span = tuple[int, int, tuple[_Entry, ...]]


def _is_word_edge(text: str, index: int) -> bool:
    return index < 0 or index >= len(text) or not text[index].isalnum()


def _listed(normal: str, kept: list[_Span]) -> set[int]:
    """Indexes of the spans that are items of an enumeration of several themes' cues."""
    listed: set[int] = set()
    run: list[int] = []

    def close() -> None:
        themes = {entry.theme for index in run for entry in kept[index][2]}
        if len(run) >= LIST_THEMES and len(themes) >= LIST_THEMES:
            listed.update(run)

    for index, (start, _end, _entries) in enumerate(kept):
        if run and _LIST_GAP.match(normal[kept[run[-1]][1] : start].strip()):
            run.append(index)
            continue
        close()
        run = [index]
    close()
    return listed


def tag_themes(text: str) -> list[ThemeTag]:
    """The themes of a finding, in taxonomy order, each with the words that gave it."""
    normal = normalise(text)
    automaton, contexts = _automaton()
    spans: list[_Span] = []
    for end, (key, entries) in automaton.iter(normal):
        start = end - len(key) + 1
        if _is_word_edge(normal, start - 1) and _is_word_edge(normal, end + 1):
            spans.append((start, end + 1, entries))
    # The longest phrase wins where two overlap ("views and wishes" over "their views");
    # then the earlier one.
    spans.sort(key=lambda span: (span[0] - span[1], span[0]))
    taken: list[tuple[int, int]] = []
    kept = []
    for span in spans:
        if any(span[0] < end and start < span[1] for start, end in taken):
            continue
        taken.append((span[0], span[1]))
        kept.append(span)
    kept.sort(key=lambda span: span[0])
    listed = _listed(normal, kept) if len(kept) >= LIST_THEMES else set()
    first_sentence = _SENTENCE_END.search(normal)
    first_end = first_sentence.end() if first_sentence else len(normal)
    matched: dict[Theme, list[str]] = {}
    in_context: dict[Theme, bool] = {}
    strong: set[Theme] = set()
    weak_hits: dict[Theme, set[int]] = {}
    only_names: dict[Theme, bool] = {}  # every cue of the theme names a team or service
    for index, (start, end, entries) in enumerate(kept):
        words = normal[start:end]
        for entry in entries:
            if entry.contextual:
                if entry.theme not in in_context:
                    in_context[entry.theme] = bool(contexts[entry.theme].search(normal))
                if not in_context[entry.theme]:
                    continue
            is_name = start >= first_end and (
                words.endswith(_NAME_ENDINGS) or bool(_NAME_AFTER.match(normal, end))
            )
            only_names[entry.theme] = only_names.get(entry.theme, True) and is_name
            if index in listed:
                pass  # shown among the matched words, but gives nothing alone
            elif entry.weak:
                weak_hits.setdefault(entry.theme, set()).add(start)  # once per place
            else:
                strong.add(entry.theme)
            found = matched.setdefault(entry.theme, [])
            if words not in found:
                found.append(words)
    given = {
        theme
        for theme in matched
        if (theme in strong or len(weak_hits.get(theme, ())) >= 2) and not only_names[theme]
    }
    if not any(THEME_AREA[theme] is PracticeArea.CARE_LEAVERS for theme in given):
        subject = _CARE_LEAVER_SUBJECT.match(normal)
        if subject:
            given.add(T.PATHWAY_PLANNING)
            matched[T.PATHWAY_PLANNING] = [subject.group(1)]
    return [
        ThemeTag(theme=theme, area=THEME_AREA[theme], matched=matched[theme])
        for theme in _TAXONOMY_ORDER
        if theme in given
    ]
