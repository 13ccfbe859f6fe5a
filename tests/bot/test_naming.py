"""Tests for partner-name normalization and lookup (bot.naming)."""

from __future__ import annotations

import random

import pytest

from bot.naming import (
    FUZZY_THRESHOLD,
    Match,
    NameIndex,
    contains_words,
    differ_in_numbers_only,
    generic_name,
    name_keys,
    name_similarity,
    normalize_name,
    one_typo_away,
    person_key,
    same_body_contained,
    same_letters,
    sibling_offices,
    tokens,
)

# A realistic registry: partner id -> (name, *aliases).
REGISTRY: dict[int, tuple[str, ...]] = {
    1: ("World Bank", "International Bank for Reconstruction and Development", "IBRD"),
    2: ("World Food Programme", "WFP"),
    3: ("World Health Organization", "WHO"),
    4: ("World Trade Organization", "WTO"),
    5: ("UNICEF", "United Nations Children's Fund"),
    6: ("UNESCO", "United Nations Educational, Scientific and Cultural Organization"),
    7: ("UNHCR", "United Nations High Commissioner for Refugees", "UN Refugee Agency"),
    8: ("United Nations Development Programme", "UNDP"),
    9: ("United Nations Environment Programme", "UNEP"),
    10: ("UN Women",),
    11: ("Médecins Sans Frontières", "MSF", "Doctors Without Borders", "Ärzte ohne Grenzen"),
    12: ("Bill & Melinda Gates Foundation", "Gates Foundation"),
    13: ("Save the Children",),
    14: ("Save the Elephants",),
    15: ("Oxfam International", "Oxfam"),
    16: ("Amnesty International",),
    17: ("International Committee of the Red Cross", "ICRC"),
    18: ("International Federation of Red Cross and Red Crescent Societies", "IFRC"),
    19: ("American Red Cross",),
    20: ("Turkish Red Crescent", "Türk Kızılay"),
    21: ("Siemens AG",),
    22: ("Siemens Energy AG",),
    23: ("Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH", "GIZ"),
    24: ("Deutsche Welthungerhilfe e.V.", "Welthungerhilfe"),
    25: ("KfW Bankengruppe", "Kreditanstalt für Wiederaufbau", "KfW"),
    26: ("AT&T Inc.",),
    27: ("Fiat S.p.A.",),
    28: ("Nestlé S.A.",),
    29: ("Unilever PLC",),
    30: ("The Nature Conservancy",),
    31: ("World Wide Fund for Nature", "WWF", "World Wildlife Fund"),
    32: ("Greenpeace International",),
    33: ("CARE International",),
    34: ("Mercy Corps",),
    35: ("International Rescue Committee", "IRC"),
    36: ("Norwegian Refugee Council", "NRC"),
    37: ("Danish Refugee Council", "DRC"),
    38: ("Plan International",),
    39: ("World Vision International",),
    40: ("BRAC",),
    41: ("Wellcome Trust",),
    42: ("The Rockefeller Foundation",),
    43: ("Ford Foundation",),
    44: ("Open Society Foundations",),
    45: ("Aga Khan Foundation",),
    46: ("Fondation Mérieux",),
    47: ("Novo Nordisk A/S",),
    48: ("Novo Nordisk Foundation", "Novo Nordisk Fonden"),
    49: ("A.P. Møller - Mærsk A/S", "Maersk"),
    50: ("Handicap International", "Humanity & Inclusion"),
    51: ("Action contre la Faim", "Action Against Hunger"),
    52: ("Brot für die Welt",),
    53: ("Caritas Internationalis",),
    54: ("Catholic Relief Services", "CRS"),
    55: ("Islamic Relief Worldwide",),
    56: ("Aktion Deutschland Hilft e.V.",),
    57: ("Terre des Hommes",),
    58: ("Procter & Gamble Co.",),
    59: ("Johnson & Johnson",),
    60: ("Ernst & Young Global Limited", "EY", "Ernst & Young"),
    61: ("Société Générale S.A.",),
    62: ("Banco Santander, S.A.",),
    63: ("Equinor ASA",),
    64: ("Nokia Oyj",),
    65: ("Allianz SE",),
    66: ("Toyota Motor Corporation",),
    67: ("InPost Sp. z o.o.",),
    68: ("Łukasiewicz Research Network",),
    69: ("Robert Bosch GmbH",),
    70: ("Robert Bosch Stiftung GmbH",),
    71: ("Gavi, the Vaccine Alliance", "Gavi"),
    72: ("The Global Fund to Fight AIDS, Tuberculosis and Malaria", "The Global Fund"),
}

# (what a user types, partner it must resolve to, whether that is an exact match)
VARIANTS: list[tuple[str, int, bool]] = [
    # Case and accents
    ("medecins sans frontieres", 11, True),
    ("MEDECINS SANS FRONTIERES", 11, True),
    ("Médecins Sans Frontiéres", 11, True),
    ("Arzte ohne Grenzen", 11, True),
    ("Nestle", 28, True),
    ("Societe Generale", 61, True),
    ("Fondation Merieux", 46, True),
    ("Turk Kizilay", 20, True),
    ("Lukasiewicz Research Network", 68, True),
    ("A.P. Moller-Maersk", 49, True),
    ("Unicef", 5, True),
    # Acronyms and other names registered as aliases
    ("MSF", 11, True),
    ("Doctors without Borders", 11, True),
    ("GIZ", 23, True),
    ("Welthungerhilfe", 24, True),
    ("Maersk", 49, True),
    ("World Wildlife Fund", 31, True),
    ("Action Against Hunger", 51, True),
    # & / + / and, apostrophes
    ("Bill and Melinda Gates Foundation", 12, True),
    ("Bill + Melinda Gates Foundation", 12, True),
    ("AT and T", 26, True),
    ("Procter and Gamble", 58, True),
    ("Johnson and Johnson", 59, True),
    ("Ernst and Young", 60, True),
    ("Humanity and Inclusion", 50, True),
    ("International Bank for Reconstruction & Development", 1, True),
    ("United Nations Childrens Fund", 5, True),
    ("Global Fund to Fight AIDS Tuberculosis & Malaria", 72, True),
    # Legal suffixes and a leading "The"
    ("SIEMENS", 21, True),
    ("Siemens Aktiengesellschaft", 21, True),
    ("Deutsche Welthungerhilfe eV", 24, True),
    ("Fiat SpA", 27, True),
    ("Novo Nordisk", 47, True),
    ("Banco Santander SA", 62, True),
    ("InPost", 67, True),
    ("Toyota Motor Corp.", 66, True),
    ("Nature Conservancy", 30, True),
    ("The World Bank", 1, True),
    # Word order
    ("Gates Foundation Bill & Melinda", 12, False),
    ("Red Cross International Committee", 17, False),
    # Typos, spelling variants, a missing or translated small word
    ("Medecins san frontieres", 11, False),
    ("Oxfam Internatinal", 15, False),
    ("Save teh Children", 13, False),
    ("Save Children", 13, False),
    ("World Heath Organization", 3, False),
    ("World Health Organisation", 3, False),
    ("World Food Program", 2, False),
    ("United Nations Children Fund", 5, False),
    ("International Committee of Red Cross", 17, False),
    ("Norwegian Refugee Counsel", 36, False),
    ("Rockefeler Foundation", 42, False),
    ("Proctor & Gamble", 58, False),
    ("Agha Khan Foundation", 45, False),
    ("Caritas International", 53, False),
    ("Welcome Trust", 41, False),
    ("Catholic Relief Service", 54, False),
    ("Deutsche Gesellschaft fuer Internationale Zusammenarbeit", 23, False),
    ("Deutsche Gesellschaft für Internationale Zusammenarbeit GmbH", 23, False),
]

# Not resolved, by design; registering the short form as an alias is the remedy:
# - "World Bank Group", "Islamic Relief": an added or dropped significant word means a
#   different partner to the scorer (that is what keeps "Siemens" and "Siemens Energy" apart).
# - "Amnesty Intl.", "Greenpeace Intl", "UN High Commissioner for Refugees": abbreviations are
#   not expanded.
# - "Mercy Corp": "Corp" is a legal suffix, so the key is "mercy", far from "mercy corps".

# Different organisations: neither may be offered for the other, not even as "Did you mean".
NON_MATCHES: list[tuple[str, str]] = [
    ("World Bank", "World Food Programme"),
    ("World Health Organization", "World Trade Organization"),
    ("Save the Children", "Save the Elephants"),
    ("Red Cross", "Red Crescent"),
    ("American Red Cross", "Turkish Red Crescent"),
    ("Amnesty International", "Oxfam International"),
    ("UNICEF", "UNESCO"),
    ("UNDP", "UNEP"),
    ("WHO", "WTO"),
    ("United Nations Development Programme", "United Nations Environment Programme"),
    ("Norwegian Refugee Council", "Danish Refugee Council"),
    ("Danish Refugee Council", "Danish Red Cross"),
    ("Plan International", "CARE International"),
    ("Greenpeace International", "Handicap International"),
    ("International Rescue Committee", "International Committee of the Red Cross"),
    ("Ford Foundation", "Rockefeller Foundation"),
    ("Open Society Foundations", "Aga Khan Foundation"),
    ("World Vision International", "World Wide Fund for Nature"),
    ("UN Women", "UN Habitat"),
    ("Catholic Relief Services", "Lutheran World Relief"),
    ("Johnson & Johnson", "Johnson Controls"),
    ("World Food Programme", "World Food Prize Foundation"),
    # Related but separate legal entities. A "Did you mean" would be defensible here, but the
    # extra word ("Energy", "Stiftung", "Foundation") names a different partner, and being
    # offered the parent for every subsidiary would make the prompt noise.
    ("Siemens", "Siemens Energy"),
    ("Robert Bosch", "Robert Bosch Stiftung"),
    ("Novo Nordisk", "Novo Nordisk Foundation"),
    ("Fiat", "Fiat Chrysler Automobiles"),
]

# Different organisations that are still offered as "Did you mean": they differ only in a word
# of under four letters ("UK"/"US", "USA") or by two letters of a word ("Austrian"/
# "Australian"). The scorer cannot tell these from typos ("Save teh Children", "Counsel" for
# "Council") without world knowledge, and the cost is one prompt the user declines, where a
# missed duplicate costs a second partner record. Only non-exactness is asserted.
DID_YOU_MEAN_PAIRS: list[tuple[str, str]] = [
    ("Save the Children UK", "Save the Children US"),
    ("Plan International", "Plan International USA"),
    ("Austrian Red Cross", "Australian Red Cross"),
    ("Northern Water Trust", "Southern Water Trust"),
]


def _index(registry: dict[int, tuple[str, ...]]) -> NameIndex:
    index = NameIndex()
    for partner_id, labels in registry.items():
        for label in labels:
            index.add(partner_id, label)
    return index


@pytest.fixture(scope="module")
def registry_index() -> NameIndex:
    return _index(REGISTRY)


# --- normalize_name -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Médecins Sans Frontières", "medecins sans frontieres"),
        ("AT&T", "at and t"),
        ("AT and T", "at and t"),
        ("R+D Partners", "r and d partners"),
        ("The Nature Conservancy", "nature conservancy"),
        ("Siemens AG", "siemens"),
        ("Acme, Inc.", "acme"),
        ("ACME Ltd.", "acme"),
        ("Acme Holding GmbH & Co. KG", "acme holding"),
        ("Deutsche Welthungerhilfe e.V.", "deutsche welthungerhilfe"),
        ("Deutsche Welthungerhilfe e. V.", "deutsche welthungerhilfe"),
        ("Fiat S.p.A.", "fiat"),
        ("Acme L.L.C.", "acme"),
        ("Acme B.V.", "acme"),
        ("Acme Pty Ltd", "acme"),
        ("Acme Sp. z o.o.", "acme"),
        ("Acme S.à r.l.", "acme"),
        ("Novo Nordisk A/S", "novo nordisk"),
        ("Straße der Hoffnung gGmbH", "strasse der hoffnung"),
        ("A.P. Møller - Mærsk A/S", "ap moller maersk"),
        ("Œuvre d'Orient", "oeuvre dorient"),
        ("Łukasiewicz", "lukasiewicz"),
        ("Türk Kızılay", "turk kizilay"),
        ("United Nations Children's Fund", "united nations childrens fund"),
        ("  World   Bank  ", "world bank"),
        ("St.Gallen Stiftung", "st gallen stiftung"),
        (
            "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH",
            "deutsche gesellschaft fur internationale zusammenarbeit giz",
        ),
    ],
)
def test_normalize_name(name: str, key: str) -> None:
    assert normalize_name(name) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Médecins Sans Frontières", "medecins sans frontieres"),
        ("AT&T", "AT and T"),
        ("The Nature Conservancy", "Nature Conservancy"),
        ("Siemens AG", "SIEMENS"),
        ("Acme, Inc.", "Acme Incorporated"),
        ("Acme Corp.", "ACME Corporation"),
        ("Fiat S.p.A.", "Fiat SpA"),
        ("Nestlé S.A.", "Nestle SA"),
        ("Deutsche Welthungerhilfe e.V.", "Deutsche Welthungerhilfe eV"),
        ("Einzelhandel Meier e.K.", "Einzelhandel Meier"),
        # A name copied out of a Slack message: marks as look-alikes (`literal`), zero-width
        # characters.
        ("Mc`Donald Trust", "Mc\u02cbDonald Trust"),
        ("A*B Corp", "A\u2217B Corp"),
        ("_Under_ Score", "\u02cdUnder\u02cd Score"),
        ("Save_the_Children", "Save\u200b_\u200bthe_Children"),
        ("Acme", "Ac\u2060me\ufeff"),
        # QA: "+Acumen" was "and acumen". An "&" or "+" at either end joins nothing.
        ("+Acumen", "Acumen"),
        ("& Partners Trust", "Partners Trust"),
        ("Acme +", "Acme"),
        ("(+Acumen)", "Acumen"),
    ],
)
def test_normalize_name_equivalent(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Only "&" and "+" mean "and"; other languages' words for it are part of the name.
        ("Brot & Rosen", "Brot und Rosen"),
        ("Médecins & Associés", "Médecins et Associés"),
        ("Pan & Agua", "Pan y Agua"),
        # "Foundation" is not a legal suffix.
        ("Ford Foundation", "Ford"),
        # Only a leading "The", only trailing suffixes.
        ("Save the Children", "Save Children"),
        ("Inc Magazine", "Magazine"),
    ],
)
def test_normalize_name_distinct(a: str, b: str) -> None:
    assert normalize_name(a) != normalize_name(b)


@pytest.mark.parametrize(
    ("label", "typed"),
    [
        ("Ärzte ohne Grenzen e.V.", "aerzte ohne grenzen"),
        ("Ärzte ohne Grenzen e.V.", "Arzte ohne Grenzen"),  # as before
        ("Müller & Söhne GmbH", "Mueller & Soehne"),
        ("Aerzte ohne Grenzen", "Ärzte ohne Grenzen"),
        ("Straße der Hoffnung", "Strasse der Hoffnung"),
    ],
)
def test_an_umlaut_is_found_spelt_either_way(label: str, typed: str) -> None:
    index = NameIndex()
    index.add(1, label)
    (match,) = index.lookup(typed)
    assert match.exact and match.partner_id == 1
    assert len(index) == 1


@pytest.mark.parametrize(
    ("label", "typed"),
    [
        ("Doctors Without Borders", "Doctors w/o Borders"),
        ("Doctors Without Borders", "doctors W/O borders"),
        ("Café with Milk", "Cafe w/ Milk"),
        ("Doctors w/o Borders", "Doctors without Borders"),
    ],
)
def test_w_slash_o_is_found_written_out(label: str, typed: str) -> None:
    index = NameIndex()
    index.add(1, label)
    (match,) = index.lookup(typed)
    assert match.exact and match.partner_id == 1
    assert len(index) == 1
    assert name_keys("A/S w/o") == ["as wo", "as without"]  # "A/S" is a legal form still


def test_answering_finds_whoever_either_spelling_meets() -> None:
    # What a name about to be given must not be of another partner, either way round.
    index = NameIndex()
    index.add(1, "Ärzte ohne Grenzen")
    index.add(2, "Doctors w/o Borders")
    index.add(3, "Aerzte")
    assert [m.partner_id for m in index.answering("Aerzte ohne Grenzen")] == [1]
    assert [m.partner_id for m in index.answering("Doctors Without Borders")] == [2]
    # "Ärzte" is "arzte" first and "aerzte" second: `lookup` stops at the first.
    index.add(4, "Arzte")
    assert [m.partner_id for m in index.lookup("Ärzte")] == [4]
    assert {m.partner_id for m in index.answering("Ärzte")} == {3, 4}
    assert index.answering("Oxfam") == [] and index.answering("!!") == []


def test_another_spelling_of_a_registered_name_is_a_likely_duplicate() -> None:
    # The registry refuses it before (`Registry.answering`); the index still names it when
    # asked, whichever of the two was registered first.
    index = NameIndex()
    index.add(1, "Ärzte ohne Grenzen")
    index.add(2, "Doctors Without Borders")
    assert [m.label for m in index.duplicates("Aerzte ohne Grenzen")] == ["Ärzte ohne Grenzen"]
    assert [m.label for m in index.duplicates("Doctors w/o Borders")] == ["Doctors Without Borders"]
    assert index.duplicates("Doctors without borders") == []  # its own key: refused before


def test_ae_oe_ue_without_an_umlaut_stay_themselves() -> None:
    assert name_keys("Joe's Blue Aero") == ["joes blue aero"]
    assert name_keys("Ärzte") == ["arzte", "aerzte"]
    index = NameIndex()
    index.add(1, "Jo")
    index.add(2, "Blu")
    assert not any(match.exact for match in [*index.lookup("Joe"), *index.lookup("Blue")])
    assert not index.has_key("joe")
    index.add(3, "Über Uns")
    index.remove_partner(3)
    assert len(index) == 2 and not index.has_key("ueber uns")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dr. Jane Doe", "Jane Doe"),
        ("jane  DOE", "Jane Doe"),
        ("Prof. Dr. Anna Weber", "anna weber"),
        ("José Ruiz-Díaz", "Jose Ruiz Diaz"),
        ("Mrs O'Neil", "mrs oneil"),
        ("Ms. Kim", "Kim"),
        # A role or organisation in brackets after the name is said about the person.
        ("Jane Doe (CEO)", "Jane Doe"),
        ("Dr. Jane Doe (Head of Partnerships)", "jane doe"),
        ("Jane Doe [Oxfam GB]", "Jane Doe"),
        ("Jane Doe (CEO) (Oxfam)", "Jane Doe"),
        ("Jane Doe(CEO) ", "Jane Doe"),
    ],
)
def test_person_key_ignores_case_accents_punctuation_and_titles(a: str, b: str) -> None:
    assert person_key(a) == person_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jane Doe", "John Doe"),
        ("Dr Who", "Who Else"),
        ("Jane Doe", "Jane Doe Smith"),
        ("Jane Doe (CEO)", "John Doe (CEO)"),
        ("Jane (CEO) Doe", "Jane Doe"),  # only an aside at the end is one
    ],
)
def test_person_key_keeps_different_people_apart(a: str, b: str) -> None:
    assert person_key(a) != person_key(b)


def test_person_key_keeps_a_name_that_is_only_a_title() -> None:
    assert person_key("Dr.") == "dr"
    assert person_key("Sir") == "sir"
    assert person_key("(CEO)") == "ceo"
    assert person_key("Jane Doe ()") == "jane doe"


@pytest.mark.parametrize(
    ("name", "key"),
    [("The Co", "the co"), ("Co.", "co"), ("Limited Company", "limited company"), ("The", "the")],
)
def test_normalize_name_keeps_a_name_made_only_of_suffixes(name: str, key: str) -> None:
    assert normalize_name(name) == key


@pytest.mark.parametrize("name", ["", "   ", "!!!", "—"])
def test_normalize_name_without_letters_or_digits_is_empty(name: str) -> None:
    assert normalize_name(name) == ""


def test_normalize_name_is_idempotent() -> None:
    for labels in REGISTRY.values():
        for label in labels:
            key = normalize_name(label)
            assert normalize_name(key) == key


def test_tokens() -> None:
    assert tokens(normalize_name("Bill & Melinda Gates Foundation")) == [
        "bill",
        "and",
        "melinda",
        "gates",
        "foundation",
    ]
    assert tokens("") == []


# --- name_similarity ------------------------------------------------------------------------------


def test_name_similarity_ignores_word_order() -> None:
    assert (
        name_similarity("gates foundation bill and melinda", "bill and melinda gates foundation")
        == 100.0
    )


def test_name_similarity_respects_score_cutoff() -> None:
    assert name_similarity("world bank", "world food programme", score_cutoff=50.0) == 0.0


# --- NameIndex: registry variants and non-matches -------------------------------------------------


@pytest.mark.parametrize(("query", "partner_id", "exact"), VARIANTS)
def test_variant_resolves_to_partner(
    registry_index: NameIndex, query: str, partner_id: int, exact: bool
) -> None:
    matches = registry_index.lookup(query)
    assert matches, f"{query!r} matched nothing"
    assert matches[0].partner_id == partner_id, matches
    assert matches[0].exact is exact
    if exact:
        assert matches == [matches[0]]
        assert matches[0].score == 100.0
    else:
        assert matches[0].score >= FUZZY_THRESHOLD


@pytest.mark.parametrize(("a", "b"), NON_MATCHES)
def test_different_organisations_do_not_match(a: str, b: str) -> None:
    for registered, query in ((a, b), (b, a)):
        index = NameIndex()
        index.add(1, registered)
        assert index.lookup(query) == [], f"{query!r} matched {registered!r}"


@pytest.mark.parametrize(("a", "b"), DID_YOU_MEAN_PAIRS)
def test_close_but_different_organisations_are_never_exact(a: str, b: str) -> None:
    for registered, query in ((a, b), (b, a)):
        index = NameIndex()
        index.add(1, registered)
        assert not any(match.exact for match in index.lookup(query))


def test_registered_names_resolve_exactly_among_similar_ones(registry_index: NameIndex) -> None:
    for partner_id, labels in REGISTRY.items():
        for label in labels:
            assert registry_index.lookup(label) == [
                Match(partner_id=partner_id, label=label, score=100.0, exact=True)
            ]


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("Oxfam GmbH", "Oxfan"),  # a wrong letter in five
        ("Oxfam GmbH", "Oxfan GmbH"),
        ("Oxfam", "Oxfma"),  # two letters swapped
        ("Médecins Sans Frontières", "MFS"),  # in an alias (below), of three letters
        ("Oxfam", "Oxfamm"),
    ],
)
def test_one_typo_in_a_short_name_or_acronym_is_offered(registered: str, typed: str) -> None:
    index = NameIndex()
    index.add(1, registered)
    index.add(1, "MSF")
    index.add(2, "UNEP")
    (match,) = index.lookup(typed)
    assert match.partner_id == 1 and not match.exact


def test_a_changed_letter_in_a_short_acronym_is_another_organisation() -> None:
    index = NameIndex()
    index.add(1, "UNEP")
    index.add(2, "WHO")
    assert index.lookup("UNDP") == [] and index.lookup("WTO") == []
    assert index.lookup("UENP")[0].partner_id == 1  # but two letters swapped is a typo
    index.remove_partner(1)
    assert index.lookup("UENP") == []


def test_acronyms_are_not_invented() -> None:
    index = NameIndex()
    index.add(1, "World Food Programme")
    index.add(2, "Médecins Sans Frontières")
    assert index.lookup("WFP") == []
    assert index.lookup("MSF") == []
    index.add(3, "Doctors Without Borders")
    assert index.lookup("DWB") == [] and index.extending("DWB") == []  # an alias is the way


# Typed -> meant, one slip each, and what must stay apart: the table behind `_one_typo` and
# "w/o" without its slash. Each is asked of a registry of these names, less the typed one's own.
SHORT_NAME_REGISTRY = (
    "Oxfam", "Unicef", "CARE", "WWF", "MSF", "Core", "WFP", "IOM", "ICM", "UNDP", "UNEP", "WHO",
    "WTO", "ILO", "FAO", "GIZ", "UNHCR", "Caritas", "Medair", "Concern", "Welthungerhilfe",
    "Doctors without Borders", "Save the Children", "World Vision", "Mercy Corps",
)  # fmt: skip
SHORT_NAME_TYPOS = [
    ("Oxfm", "Oxfam"),  # a letter missing
    ("Oxafm", "Oxfam"),  # two letters swapped
    ("Oxfma", "Oxfam"),
    ("Oxfamm", "Oxfam"),  # a letter extra
    ("Oxfan", "Oxfam"),  # a letter wrong
    ("Unicf", "Unicef"),
    ("Uncief", "Unicef"),
    ("Unisef", "Unicef"),
    ("Car", "CARE"),
    ("Cares", "CARE"),
    ("Acre", "CARE"),
    ("WFW", "WWF"),
    ("WFF", "WWF"),  # the doubled letter doubled on its neighbour
    ("MFS", "MSF"),
    ("UNHRC", "UNHCR"),
    ("Medari", "Medair"),
    ("Medar", "Medair"),
    ("Caritsa", "Caritas"),
    ("Concren", "Concern"),
    ("Welthungerhife", "Welthungerhilfe"),
    ("Doctors withou Borders", "Doctors without Borders"),
    ("Doctors wo Borders", "Doctors without Borders"),  # "w/o" without its slash
    ("Doctors w.o. Borders", "Doctors without Borders"),
    ("Doctors w/out Borders", "Doctors without Borders"),
    ("Save teh Children", "Save the Children"),
    ("Wrold Vision", "World Vision"),
    ("Mercy Crops", "Mercy Corps"),
]
SHORT_NAMES_APART = [
    ("Care", "Core"),  # a letter wrong in four or fewer: another organisation
    ("Core", "CARE"),
    ("WWF", "WFP"),
    ("WFP", "WWF"),
    ("IOM", "ICM"),
    ("ICM", "IOM"),
    ("UNDP", "UNEP"),
    ("UNEP", "UNDP"),
    ("WHO", "WTO"),
    ("ILO", "IOM"),
    ("WTO", "WHO"),
    ("Cair", "CARE"),  # two slips in four letters
    ("Wo Hing Society", "Doctors without Borders"),  # "wo" only between words is "w/o"
]


def _did_you_mean(typed: str, registry: tuple[str, ...] = SHORT_NAME_REGISTRY) -> list[str]:
    # As `PartnerNames.candidates`: the near misses, or else the names the typed words start.
    index = NameIndex()
    for partner_id, name in enumerate(registry):
        if normalize_name(name) != normalize_name(typed):
            index.add(partner_id, name)
    return [match.label for match in index.lookup(typed) or index.extending(typed)]


@pytest.mark.parametrize(("typed", "meant"), SHORT_NAME_TYPOS)
def test_one_slip_in_a_short_name_is_offered(typed: str, meant: str) -> None:
    assert _did_you_mean(typed) == [meant]


@pytest.mark.parametrize(("typed", "other"), SHORT_NAMES_APART)
def test_a_similar_short_name_of_another_organisation_is_not_offered(
    typed: str, other: str
) -> None:
    assert other not in _did_you_mean(typed)


# One word typed for a partner that is not registered, and the "Did you mean" it gets: the names
# it is the start, a typo or an abbreviation of, never a name whose first word it only
# abbreviates (bench/name_resolution.py, "one-word Did you mean", measured these in 1,000 and 10,000
# names). Real organisations, and names of the synthetic registry that were offered before.
ONE_WORD_REGISTRY = (
    "Oxfam International", "Save the Children", "Plan International", "World Food Programme",
    "World Vision International", "Amnesty International", "Caritas Internationalis",
    "Médecins Sans Frontières", "Action Against Hunger", "Welthungerhilfe", "Mercy Corps",
    "International Rescue Committee", "Food and Agriculture Organization", "Concern Worldwide",
    "Caribbean Housing Fund", "Clarke Architecture S.p.A.", "Cooperative for Literacy in Łódź",
    "Fondation for Farmers in Wien", "Association for Trade in Porto Ltd", "Sudan Rail Group",
    "González Publishing ASA", "Nielsen Printing Limited", "Nile Fintech Group", "Planet Wildlife",
)  # fmt: skip
ONE_WORD_OFFERS = [
    # Unrelated names whose first word the typed one only abbreviates: no longer offered.
    ("Care", []),  # not "Caribbean Housing Fund", "Clarke Architecture"
    ("Core", []),  # not "Cooperative for Literacy in Łódź"
    ("FAO", []),  # not "Fondation for Farmers in Wien"; acronyms are not invented
    ("Goal", []),  # not "González Publishing"
    ("Sun", []),  # not "Sudan Rail Group"
    ("Intl", []),  # not "International Rescue Committee": a word of a name, not a name
    ("Action", ["Action Against Hunger"]),  # not "Association for Trade in Porto"
    ("Nile", ["Nile Fintech Group"]),  # not "Nielsen Printing", which came first as shorter
    # Kept: the start of a name, a typo of it, an abbreviation of the whole name.
    ("Oxfam", ["Oxfam International"]),
    ("Oxfamm", ["Oxfam International"]),  # a typo
    # A wrong letter too: a short word may be another word ("Child", "Chile Foundation"), but a
    # missed partner is registered twice, and a needless button costs a glance.
    ("Oxfan", ["Oxfam International"]),
    ("Oxfm", ["Oxfam International"]),  # the rest of the name only says what kind of body
    ("Welthungerhlf", ["Welthungerhilfe"]),  # a name of one word
    ("Save", ["Save the Children"]),
    ("Plan", ["Plan International"]),  # not "Planet Wildlife"
    ("World", ["World Food Programme", "World Vision International"]),
    ("Amnesty", ["Amnesty International"]),
    ("Amnesti", ["Amnesty International"]),
    ("Caritas", ["Caritas Internationalis"]),
    ("Mercy", ["Mercy Corps"]),
    ("Concern", ["Concern Worldwide"]),
    ("Food", ["Food and Agriculture Organization"]),
    ("Red", []),
    ("MSF", []),
    ("UNHCR", []),
    # Several words: the words after the first say which name an abbreviation is of.
    ("Intl Rescue Committee", ["International Rescue Committee"]),
]


@pytest.mark.parametrize(("typed", "offered"), ONE_WORD_OFFERS)
def test_one_word_is_offered_the_names_it_starts_not_those_whose_first_word_it_abbreviates(
    typed: str, offered: list[str]
) -> None:
    assert _did_you_mean(typed, ONE_WORD_REGISTRY) == offered


def test_without_written_wo_is_read_only_between_words() -> None:
    assert name_keys("Doctors W.O. Borders")[1] == "doctors without borders"
    assert name_keys("Wo Hing Society") == ["wo hing society"]
    assert name_keys("Lee Wo") == ["lee wo"]
    assert name_keys("Two Rivers") == ["two rivers"]


# --- NameIndex: semantics -------------------------------------------------------------------------


def test_exact_match_hides_fuzzy_ones() -> None:
    index = NameIndex()
    index.add(1, "Save the Children")
    index.add(2, "Save the Childrens")
    assert index.lookup("save the children") == [
        Match(partner_id=1, label="Save the Children", score=100.0, exact=True)
    ]


def test_exact_matches_of_several_partners_are_all_returned() -> None:
    index = NameIndex()
    index.add(2, "Acme Ltd")
    index.add(1, "ACME GmbH")
    assert index.lookup("Acme") == [
        Match(partner_id=1, label="ACME GmbH", score=100.0, exact=True),
        Match(partner_id=2, label="Acme Ltd", score=100.0, exact=True),
    ]


def test_fuzzy_lookup_returns_best_label_per_partner() -> None:
    index = NameIndex()
    index.add(1, "Oxfam International")
    index.add(1, "Oxfam Intl Federation")
    matches = index.lookup("Oxfam Internatinal")
    assert [(match.partner_id, match.label, match.exact) for match in matches] == [
        (1, "Oxfam International", False)
    ]
    assert FUZZY_THRESHOLD <= matches[0].score < 100.0


def test_fuzzy_lookup_orders_by_score_then_label_and_respects_limit() -> None:
    index = NameIndex()
    index.add(3, "Northern Water Trust")
    index.add(2, "Trust Northern Water")
    index.add(1, "Northern Waters Trust")
    index.add(4, "Southern Water Trust")
    matches = index.lookup("Water Trust Northern", limit=3)
    assert [match.partner_id for match in matches] == [3, 2, 1]
    assert matches[0].score == matches[1].score == 100.0
    assert matches[2].score < 100.0
    assert [match.partner_id for match in index.lookup("Water Trust Northern", limit=1)] == [3]


def test_lookup_of_nothing_matches_nothing(registry_index: NameIndex) -> None:
    assert registry_index.lookup("") == []
    assert registry_index.lookup("?!") == []
    assert registry_index.lookup("World Bank", limit=0) == []


def test_add_ignores_a_label_the_partner_already_has() -> None:
    index = NameIndex()
    index.add(1, "Siemens AG")
    index.add(1, "SIEMENS")
    assert len(index) == 1
    index.add(2, "SIEMENS")
    assert len(index) == 2


def test_add_rejects_a_label_without_letters_or_digits() -> None:
    with pytest.raises(ValueError, match="no letters or digits"):
        NameIndex().add(1, "?!")


def test_remove_partner() -> None:
    index = _index(REGISTRY)
    size = len(index)
    index.remove_partner(11)
    assert len(index) == size - len(REGISTRY[11])
    assert index.lookup("MSF") == []
    assert index.lookup("Medecins san frontieres") == []
    index.remove_partner(11)
    index.remove_partner(999)
    assert len(index) == size - len(REGISTRY[11])
    index.add(11, "Médecins Sans Frontières")
    assert [match.partner_id for match in index.lookup("Medecins san frontieres")] == [11]
    assert [match.partner_id for match in index.lookup("Oxfam Internatinal")] == [15]


def test_remove_partner_keeps_others_with_the_same_key() -> None:
    index = NameIndex()
    index.add(1, "Acme Ltd")
    index.add(2, "Acme GmbH")
    index.remove_partner(1)
    assert index.lookup("Acme") == [Match(partner_id=2, label="Acme GmbH", score=100.0, exact=True)]


# --- NameIndex at scale ---------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


_PLACES = _words(
    "Sahel, Baltic, Andean, Nordic, Pacific, Atlantic, Alpine, Danube, Mekong, Amazon, "
    "Caribbean, Balkan, Arctic, Kalahari, Rhine, Zambezi, Kenya, Uganda, Ghana, Senegal, "
    "Malawi, Nepal, Bolivia, Vietnam, Jordan, Lebanon, Haiti, Colombia, Mongolia, Bavaria, "
    "Québec, São Paulo, Nairobi, Kraków, Göteborg, Tromsø, Reykjavík, Málaga, Toulouse, "
    "Rotterdam"
)
_SURNAMES = _words(
    "Müller, Schmidt, Fischer, Weber, Dubois, Lefèvre, Rossi, Esposito, García, Fernández, "
    "Silva, Oliveira, Nowak, Wiśniewski, Dvořák, Jensen, Johansson, Virtanen, Smith, Williams, "
    "Okafor, Mensah, Kamau, Diallo, Nguyen, Tanaka, Zhang, Sharma, Rahman, Yılmaz"
)
_CAUSES = _words(
    "Health, Water, Education, Energy, Climate, Food, Housing, Literacy, Forest, Ocean, "
    "Wildlife, Refugee, Youth, Women, Farmers, Sanitation, Vaccine, Malaria, Mental Health, "
    "Human Rights, Peace, Justice, Media, Heritage, Science, Innovation, Microfinance, "
    "Resilience, Disaster Relief, Conservation"
)
_KINDS = _words(
    "Foundation, Trust, Alliance, Institute, Network, Initiative, Society, Council, "
    "Association, Fund, Programme, Centre, Coalition, Forum, Federation, Agency, Academy, "
    "Stiftung, Fondation, Cooperative"
)
_SUFFIXES = ("", "", "", "e.V.", "gGmbH", "Inc.", "Ltd", "GmbH", "S.A.", "B.V.", "A/S", "AB")


def _synthetic_registry(count: int, *, seed: int) -> list[str]:
    rng = random.Random(seed)
    names: list[str] = []
    keys: set[str] = set()
    while len(names) < count:
        first = rng.choice(_PLACES if rng.random() < 0.5 else _SURNAMES)
        name = f"{first} {rng.choice(_CAUSES)} {rng.choice(_KINDS)} {rng.choice(_SUFFIXES)}"
        key = normalize_name(name)
        if key not in keys:
            keys.add(key)
            names.append(name.strip())
    return names


def _one_typo(text: str, rng: random.Random) -> str:
    i = rng.choice([i for i, char in enumerate(text[:-1]) if char.isalpha()])
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return rng.choice(
        [
            text[:i] + text[i + 1] + text[i] + text[i + 2 :],  # swapped
            text[:i] + text[i + 1 :],  # missing
            text[:i] + letter + text[i:],  # extra
            text[:i] + letter + text[i + 1 :],  # wrong
        ]
    )


def test_one_typo_finds_target_among_20000_partners() -> None:
    names = _synthetic_registry(20_000, seed=1234)
    index = NameIndex()
    for partner_id, name in enumerate(names):
        index.add(partner_id, name)
    assert len(index) == 20_000

    rng = random.Random(5678)
    misses: list[tuple[str, list[Match]]] = []
    for partner_id in rng.sample(range(len(names)), 200):
        query = _one_typo(normalize_name(names[partner_id]), rng)
        matches = index.lookup(query, limit=3)
        if partner_id not in [match.partner_id for match in matches]:
            misses.append((query, matches))
    assert misses == []


def test_extending_offers_longer_names_that_start_with_the_typed_words() -> None:
    index = NameIndex()
    index.add(1, "Plan International")
    index.add(2, "Planet Wildlife")
    index.add(3, "Plan International Deutschland e.V.")
    index.add(4, "Siemens Energy")
    assert index.lookup("Plan") == []  # a name is not taken for a longer one containing it
    found = index.extending("plan")
    assert [match.partner_id for match in found] == [1, 3]  # whole words only, shortest first
    assert found[0].label == "Plan International" and not found[0].exact
    assert index.extending("Siemens")[0].label == "Siemens Energy"
    assert index.extending("un") == []  # too short to suggest anything
    assert index.extending("Wildlife") == []  # the first words, not any words


def test_extending_reads_abbreviated_words_and_one_typo() -> None:
    index = NameIndex()
    index.add(1, "Oxfam International")
    index.add(2, "Planet Wildlife")
    index.add(3, "Plan International")
    index.add(4, "University of Oxford")
    assert [m.label for m in index.extending("Oxfam Intl")] == ["Oxfam International"]
    assert [m.label for m in index.extending("Oxfamm")] == ["Oxfam International"]
    assert [m.label for m in index.extending("Oxfam Internatinal")] == ["Oxfam International"]
    assert [m.label for m in index.extending("Plan Intl")] == ["Plan International"]
    # A first word that only starts a longer one is another name, not its abbreviation.
    assert [m.label for m in index.extending("Plan")] == ["Plan International"]
    assert index.extending("Univ of Oxford") == []
    assert index.extending("Oxfamm Intnl Extra") == []  # more words than the name
    # What `add` warns about: as many words, spelt short or with a typo.
    assert [m.label for m in index.extending("Oxfam Intl", same_length=True)] == [
        "Oxfam International"
    ]
    assert index.extending("Oxfamm", same_length=True) == []
    assert index.extending("Oxfam International", same_length=True) == []  # lookup's


def test_extending_offers_names_that_start_with_the_words_as_typed_first() -> None:
    # QA: "Org050" was offered Org005, Org010 and Org020 Foundation (a typo each, and
    # shorter keys sort first) but never Org050 Foundation.
    index = NameIndex()
    for number in (5, 10, 20, 50):
        index.add(number, f"Org{number:03d} Foundation")
    index.add(51, "Org05 Trust")
    assert [m.label for m in index.extending("Org050")] == [
        "Org050 Foundation",
        "Org05 Trust",
        "Org005 Foundation",
    ]


def test_extending_reads_a_letter_left_out_of_a_distinctive_first_word() -> None:
    # QA: `/partner log Oxfm : …` said "Check the spelling" beside "Oxfam Great Britain".
    index = NameIndex()
    index.add(1, "Oxfam Great Britain")
    index.add(1, "Oxfam GB")
    index.add(2, "Plant for the Planet")
    index.add(3, "Core Group Polio Project")
    index.add(4, "Lions Club International")
    index.add(5, "Trust for Nature")
    assert index.lookup("Oxfm") == []
    assert [(m.partner_id, m.label) for m in index.extending("Oxfm")] == [(1, "Oxfam GB")]
    assert [m.label for m in index.extending("Oxam")] == ["Oxfam GB"]
    assert [m.label for m in index.extending("Oxfaam")] == ["Oxfam GB"]  # a letter added
    # A letter more or less at either end, or a wrong one in a short word, is another word.
    assert index.extending("Plan") == []  # not "Plant for the Planet"
    assert index.extending("Care") == []  # not "Core Group Polio Project"
    assert index.extending("Lion") == []  # not "Lions Club International"
    assert index.extending("Trst") == []  # "Trust" says what kind of body, not which
    assert index.extending("Oxf") == []
    # A whole name of one word is `lookup`'s, and `add` asks about near misses of it there.
    assert index.extending("Oxfm", same_length=True) == []
    # Several partners whose names start with the word: all of them.
    index.add(6, "Oxfam Novib")
    assert [m.label for m in index.extending("Oxfm")] == ["Oxfam GB", "Oxfam Novib"]


def test_a_word_that_may_be_a_slip_of_two_words_is_offered_neither() -> None:
    index = NameIndex()
    index.add(1, "Bread for the World")
    assert [m.label for m in index.extending("Bred")] == ["Bread for the World"]
    index.add(2, "Breed Animal Rescue")
    assert index.extending("Bred") == []


# --- Likely duplicates (`add`) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("rotary club 01", "rotary club 02", True),
        ("district 9", "district 10", True),
        ("rotary club 2", "rotary club", True),  # a number one has and the other hasn't
        ("rotary club02", "rotary club 03", True),  # a number inside a word counts
        ("rotary club 01", "rotary club 1", False),  # the same number
        ("rotary club 01", "rotory club 02", False),  # a word differs too
        ("save the children fund", "save the children", False),
        ("acme", "acme", False),
    ],
)
def test_names_differ_in_numbers_only_when_their_words_are_the_same(
    a: str, b: str, expected: bool
) -> None:
    assert differ_in_numbers_only(a, b) is expected
    assert differ_in_numbers_only(b, a) is expected


@pytest.mark.parametrize(
    ("longer", "shorter", "expected"),
    [
        ("save the children fund", "save the children", True),
        ("the save the children fund", "save the children", True),  # in the middle
        ("siemens energy", "siemens", True),
        ("oxfamnovib", "oxfam", False),  # inside a word
        ("save the childrens fund", "save the children", False),
        ("acme", "acme", False),  # nothing left over
    ],
)
def test_a_name_contains_another_as_whole_words(longer: str, shorter: str, expected: bool) -> None:
    assert contains_words(longer, shorter) is expected


@pytest.mark.parametrize(
    ("longer", "shorter", "expected"),
    [
        ("save the children fund", "save the children", True),  # several words
        ("british red cross", "red cross", True),
        ("oxfam international", "oxfam", True),  # one word, only organisation words added
        ("oxfam int", "oxfam", True),
        ("oxfam uk", "oxfam", True),  # a country's code: its national office
        ("oxfam international gb", "oxfam", True),
        ("acme ai", "acme", False),  # a code that is also a common word or abbreviation
        ("plan it", "plan", False),
        ("plan canada", "plan", True),  # a country's name, as its code: a national office
        ("plan united kingdom", "plan", True),
        ("acme holding", "acme", True),
        ("the plan foundation", "plan", True),
        ("plan b foundation", "plan", False),  # a word of its own
        ("siemens energy", "siemens", False),
        ("doctors on call", "doctors", False),
        ("un women", "un", False),  # too short
        ("oxfamnovib", "oxfam", False),  # not whole words
    ],
)
def test_a_contained_name_is_the_same_body_when_several_words_or_only_generic_ones_added(
    longer: str, shorter: str, expected: bool
) -> None:
    assert same_body_contained(longer, shorter) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("plan uk", "plan canada", True),  # a country's code and its name alike
        ("oxfam gb", "oxfam uk", True),
        ("oxfam great britain", "oxfam gb", True),
        ("plan international", "plan uk", True),
        ("plan international deutschland", "plan united states", True),
        ("save the children uk", "save the children fund", True),
        ("msf uk", "msf usa", True),
        ("plan international", "planet aid", False),  # another first word
        ("plan international", "plan foundation", False),  # no country on either side
        ("plan b canada", "plan uk", False),  # "b" is a word of its own
        ("bank of canada", "bank of america", False),  # a country after "of" is the name's
        ("un uk", "un us", False),  # too short a body
        ("plan uk", "plan uk", False),  # the same name
    ],
)
def test_offices_of_one_body_are_the_same_words_then_countries(
    a: str, b: str, expected: bool
) -> None:
    assert sibling_offices(a, b) is expected
    assert sibling_offices(b, a) is expected


def duplicates_index() -> NameIndex:
    index = NameIndex()
    for partner_id, label in enumerate(
        [
            "Save the Children",
            "Rotary Club 01",
            "Siemens Energy",
            "UN",
            "Oxfam International",
            "Acme Corp",
            "Red Cross",
            "British Red Cross",
            "Doctors on Call",
            "Plan International",
            "Natl Trust",
        ],
        start=1,
    ):
        index.add(partner_id, label)
    index.add(10, "Plan")  # Plan International's short alias
    return index


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        # Containing a registered name whole (QA19c NIT 5), the longest first.
        ("Save The Children Fund", ["Save the Children"]),
        ("Acme Holding", ["Acme Corp"]),  # "Corp" is a legal form: "acme" is in "acme holding"
        ("British Red Cross Society", ["British Red Cross", "Red Cross"]),
        # The other way round too: the question does not depend on which came first.
        ("The Children", []),  # one word ("the" dropped), and "Save" is its own word
        ("Oxfam", ["Oxfam International"]),
        ("Acme Holding Trust", ["Acme Corp"]),
        ("Cross", []),  # one word: "Red" is no organisation word
        ("British Red Cross Society Trust", ["British Red Cross", "Red Cross"]),
        # One word with a word of its own added is the parent or another body, either way.
        ("Siemens", []),
        ("Doctors", []),
        # Another number is another chapter; the same number, spelt otherwise, is not.
        ("Rotary Club 02", []),
        ("Rotary Club", []),
        ("Rotary Club 1", ["Rotary Club 01"]),
        ("Save the Children 2", []),
        # A spelling of a whole name, either the short form of the other, and a typo.
        ("Oxfam Intl", ["Oxfam International"]),
        ("National Trust", ["Natl Trust"]),
        ("Doctors on Cll", ["Doctors on Call"]),
        ("Siemens Enrgy", ["Siemens Energy"]),
        ("Save the Chidren", ["Save the Children"]),
        # One word inside a longer name: the same partner only with words such as
        # "International" or "Foundation" added; a word of its own makes another body.
        ("Plan B Foundation", []),
        ("Plan Canada", ["Plan"]),  # a country's name reads as its code
        ("Planet Aid", []),
        # Another office of a registered body: a country after the same first words.
        ("Oxfam GB", ["Oxfam International"]),
        ("Plan Deutschland", ["Plan"]),
        ("Save the Children Canada", ["Save the Children"]),
        ("Plan Foundation", ["Plan"]),
        ("Oxfam International Trust", ["Oxfam International"]),  # several words: no check
        ("Oxfam Int", ["Oxfam International"]),
        ("Plan UK", ["Plan"]),  # a country's code after a one-word alias
        ("Plan AI", []),
        # Too short a name to stand for the names it is in; words, not parts of words.
        ("UN Women", []),
        ("Siemensstadt", []),
        ("Save the Children", []),  # registered: `add` refuses it before asking
    ],
)
def test_add_finds_likely_duplicates_by_one_rule(name: str, labels: list[str]) -> None:
    assert [match.label for match in duplicates_index().duplicates(name)] == labels


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Inc", True),
        ("Ltd.", True),
        ("The", True),
        ("e.V.", True),
        ("The Co", True),
        ("GmbH & Co. KG", True),
        ("Foundation", True),  # one organisation word alone
        ("The International Inc", True),
        ("Global Fund", False),  # two make a name
        ("Plan", False),
        ("MSF", False),
        ("Fundación", False),  # not in the list: only English ones are
    ],
)
def test_a_name_of_only_legal_forms_or_one_common_word_is_generic(
    name: str, expected: bool
) -> None:
    assert generic_name(name) is expected


def test_one_typo_away_sees_a_typo_in_a_legal_form() -> None:
    assert one_typo_away("A*B  corpp", "A*B Corp")
    assert one_typo_away("Acme Limted", "Acme Limited")
    assert not one_typo_away("acme corp", "Acme Corp")
    assert not one_typo_away("Acme Corporate", "Acme Corp")


def test_same_letters_sets_case_accents_and_punctuation_aside() -> None:
    assert same_letters("Logbook", "logbook")
    assert same_letters("Médecins Sans-Frontières", "medecins sans frontieres")
    assert same_letters("Øresund", "oresund")
    assert not same_letters("Ärzte", "Aerzte")
    assert not same_letters("Acme", "Acme Inc")
