"""Partner-name normalization and "Did you mean …?" lookup.

Pure and in-memory: no Slack, no database. ``normalize_name`` gives the key that decides whether
two partner names are the same partner; ``NameIndex`` answers, for a name typed by a user, which
registered partners it is (exact) or might be (fuzzy).
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.mrkdwn import LOOK_ALIKES

__all__ = [
    "FUZZY_THRESHOLD",
    "AS_TYPED",
    "COUNTRY_CODES",
    "COUNTRY_NAMES",
    "MAX_CANDIDATES",
    "Match",
    "NameIndex",
    "contains_words",
    "differ_in_numbers_only",
    "generic_name",
    "name_similarity",
    "normalize_name",
    "one_typo_away",
    "same_body_contained",
    "sibling_offices",
    "tokens",
]

# --- Scoring --------------------------------------------------------------------------------------

# Minimum ``name_similarity`` for a fuzzy "Did you mean" suggestion. One typo (swapped, missing,
# extra or wrong letter) in a name of 10+ characters scores >= 90 and in an 8-9 character name
# >= 87; a name that differs by a whole significant word is pushed below 70 by the word penalty
# (see ``name_similarity``). 85 sits in that gap; the variant and non-match lists in
# tests/bot/test_naming.py are what it was tuned against.
FUZZY_THRESHOLD = 85.0

# Words shorter than this ("the", "of", "fur", "un", acronyms such as "giz") are never
# penalised: they are too short for a similarity to mean anything, and dropping or misspelling
# them ("Save teh Children", "Committee of Red Cross") should not hide a match.
SIGNIFICANT_WORD_LEN = 4

# A significant word "has a counterpart" in the other name if it occurs there approximately
# (``fuzz.partial_ratio``, so "welt hunger hilfe" still covers "welthungerhilfe"). A single
# typo in a 4-letter word still scores 75; a different word ("development" vs "environment")
# scores about 64.
WORD_MATCH_CUTOFF = 70.0

# Points subtracted per significant word, on either side, without a counterpart. Shared
# boilerplate can make the character similarity of two different organisations high ("United
# Nations Development Programme" vs "... Environment Programme" scores 89); the penalty encodes
# that a different significant word means a different partner.
UNMATCHED_WORD_PENALTY = 15.0

# The shortest normalized query `NameIndex.extending` completes to longer names: "un" or "we"
# would extend to too much to be a suggestion.
MIN_EXTENDED_QUERY = 3

# One typo in a short name scores below FUZZY_THRESHOLD by character similarity alone: a wrong
# letter in "Oxfam" 80, two letters swapped in "MSF" 67. Such keys score ONE_TYPO_SCORE
# (`_one_typo`): any one edit (a letter wrong, missing or extra, two adjacent letters swapped)
# from TYPO_MIN_LEN characters on; from SWAP_MIN_LEN on, only two adjacent letters swapped
# ("MFS") or a doubled letter doubled on its neighbour instead ("WFF" for "WWF"). Below that a
# changed letter is as likely another organisation's acronym ("UNDP"/"UNEP", "WHO"/"WTO",
# "Care"/"Core") as a typo. A letter missing or extra in a name of 3-4 letters needs no help:
# it scores 85-89 ("Oxfm", "Car" for "CARE").
ONE_TYPO_SCORE = FUZZY_THRESHOLD
SWAP_MIN_LEN = 3
TYPO_MIN_LEN = 5

# The shortest word taken for an abbreviation of a longer one ("intl" of "international").
ABBREVIATION_MIN_LEN = 3

# The shortest word, as typed and as registered, in which a letter left out or added inside it
# ("Oxfm" of "Oxfam Great Britain") is read as a slip of the first word of a longer name
# (`_slipped`): "Pln" is as likely "Plan" as anything.
SLIP_MIN_LEN = 4

# Keys this short are also indexed by the letters they use, so that a query with two letters
# swapped, or a doubled letter doubled on its neighbour, finds them: "mfs" shares no trigram
# with "msf", nor "wff" with "wwf".
SHORT_KEY_MAX = 6

# The shortest normalized name `NameIndex.duplicates` finds inside a longer one: "un" or "aa"
# is in too many names to make them likely duplicates.
MIN_CONTAINED_NAME = 4

# Words that say what kind of body a partner is, or where it works, but not which one it is.
# A one-word name inside a longer name makes the two likely duplicates only when the longer
# one adds nothing but such words ("Oxfam" / "Oxfam International", "Acme" / "Acme Holding"):
# a single word, above all a short alias ("Plan" of Plan International), is too often an
# ordinary word of other names ("Plan B Foundation", "Siemens Energy", "Doctors on Call").
# Several words in a row ("Save the Children") are rarely a coincidence, so they need no such
# check. Likewise a one-word query abbreviates a longer name only when the rest of it is such
# words ("Oxfm" of "Oxfam International": `_leads`).
ORGANISATION_WORDS = frozenset(
    "the and of for international intl int intnl global worldwide foundation fund trust charity "
    "society association assn institute organisation organization network alliance "
    "federation council group holding holdings partners partnership ngo stiftung".split()
)

# Codes of the countries and unions a partner's national office is named by ("Oxfam GB", "CARE
# USA", "Plan UK"), read alike with the countries' names (`COUNTRY_NAMES`): only for a name
# made of another's words and such words (`same_body_contained`, `sibling_offices`): "Oxfam
# UK" or "Plan Canada" beside "Oxfam" or "Plan", "Oxfam GB" beside "Oxfam UK", is likely the
# same body or its branch, worth asking about before registering; as a name or alias of its
# own ("UK", `generic_name`) a code is not generic. Codes that are also English words ("in",
# "it", "at", "be", "me", "no", "so", "to", "am", "my") or common abbreviations ("ai", "id",
# "tv") are left out: "Plan It" or "Acme AI" beside "Plan" or "Acme" is as likely another
# organisation.
COUNTRY_CODES = frozenset(
    "uk gb us usa uae eu de deu fr es nl ch lu se dk fi ie au nz ca jp kr cn hk sg br mx za ke "
    "ng gh ug tz pk bd ph pl cz ua tr gr pt ro hu eg lb".split()
)

# Countries (and the nations and regions an office is named for) as `normalize_name` writes
# them, in English and as national offices often name themselves ("Deutschland", "Suisse").
# A name of several words counts as one ("Great Britain", "Hong Kong").
COUNTRY_NAMES = frozenset(
    (
        "afghanistan albania algeria angola argentina armenia australia austria azerbaijan "
        "bahrain bangladesh belarus belgium belize benin bhutan bolivia bosnia botswana brazil "
        "bulgaria burundi cambodia cameroon canada chad chile china colombia congo croatia cuba "
        "cyprus czechia denmark djibouti ecuador egypt eritrea estonia eswatini ethiopia fiji "
        "finland france gabon gambia georgia germany ghana greece guatemala guinea guyana haiti "
        "honduras hungary iceland india indonesia iran iraq ireland israel italy jamaica japan "
        "jordan kazakhstan kenya kosovo kuwait kyrgyzstan laos latvia lebanon lesotho liberia "
        "libya lithuania luxembourg madagascar malawi malaysia maldives mali malta mauritania "
        "mauritius mexico moldova mongolia montenegro morocco mozambique myanmar burma namibia "
        "nepal netherlands holland nicaragua niger nigeria norway oman pakistan palestine panama "
        "paraguay peru philippines poland portugal qatar romania russia rwanda senegal serbia "
        "singapore slovakia slovenia somalia somaliland spain sudan suriname sweden switzerland "
        "syria taiwan tajikistan tanzania thailand togo tunisia turkey turkiye turkmenistan "
        "uganda ukraine uruguay uzbekistan vanuatu venezuela vietnam yemen zambia zimbabwe "
        "britain england scotland wales europe africa asia america "
        "deutschland osterreich oesterreich schweiz suisse svizzera espana italia belgique "
        "belgie nederland sverige norge danmark suomi polska brasil"
    ).split()
) | frozenset(
    [
        "great britain",
        "united kingdom",
        "northern ireland",
        "united states",
        "united states of america",
        "united arab emirates",
        "new zealand",
        "south africa",
        "south sudan",
        "south korea",
        "north macedonia",
        "sierra leone",
        "sri lanka",
        "costa rica",
        "el salvador",
        "saudi arabia",
        "burkina faso",
        "cote divoire",
        "ivory coast",
        "czech republic",
        "dominican republic",
        "central african republic",
        "papua new guinea",
        "timor leste",
        "hong kong",
        "puerto rico",
        "latin america",
        "east africa",
        "west africa",
        "southern africa",
        "middle east",
    ]
)
_COUNTRY_WORDS_MAX = max(len(name.split()) for name in COUNTRY_NAMES)
# Words that join a name's words ("Bank of Canada"): a country after one is part of the name,
# not an office's ("Bank of America" is no office of a "Bank of Canada").
_JOINING_WORDS = frozenset("the and of for".split())
# The shortest body two offices' names share (`sibling_offices`): "MSF UK" / "MSF USA" do.
MIN_OFFICE_BODY = 3

# --- Candidate blocking ---------------------------------------------------------------------------

# Number of entries, chosen by trigram overlap, that are scored with rapidfuzz per lookup.
MAX_CANDIDATES = 300

# Upper bound on posting-list elements counted per lookup. Query trigrams are taken rarest first
# until the budget is spent, so very common trigrams ("ion", "on ") are skipped in large
# registries: they cost the most and discriminate the least. The rarer trigrams of a name are
# the ones that single it out, so the target is still among the candidates.
POSTINGS_BUDGET = 25_000

# --- Normalization --------------------------------------------------------------------------------

# Letters that NFKD does not decompose into a base letter plus combining marks.
_LETTER_MAP = str.maketrans(
    {"æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# German umlauts as written without them ("Aerzte" for "Ärzte", "Mueller" for "Müller"): a
# name with one also goes by this spelling (`name_keys`). ß needs nothing: casefold makes it ss.
_UMLAUT_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
# A name copied out of a Slack message is the name as typed: without zero-width characters,
# which show nothing and join nothing, and with the marks `bot.mrkdwn.literal` showed by
# look-alikes (`A∗B Corp` is "A*B Corp").
AS_TYPED: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "\u200b\u2060\ufeff")),
    **{ord(alike): mark for mark, alike in LOOK_ALIKES.items()},
}
_AND_SYMBOL = re.compile(r"[&+]")
# Marks before a name's first letter or digit, or after its last ("+Acumen", "Acme &"): an
# "&" or "+" there joins nothing, so it is dropped like the other marks rather than read "and".
_EDGE_MARKS = re.compile(r"^[\W_]+|[\W_]+$")
# Removed outright, so "Children's" and "Childrens" agree.
_APOSTROPHE = re.compile(r"['’ʼ`´]")
# A dot followed by a word of two or more letters separates words ("St.Gallen", "J.P.Morgan");
# every other dot closes an abbreviation and is dropped, so "e.V." -> "ev", "S.p.A." -> "spa",
# "Sp. z o.o." -> "sp z oo".
_DOT_BEFORE_WORD = re.compile(r"\.(?=[^\W\d_]{2})")
# "A/S" -> "as", before the slash becomes a word separator.
_LETTER_SLASH_LETTER = re.compile(r"\b([^\W\d_])/([^\W\d_])\b")
_NON_WORD = re.compile(r"[\W_]+")

# Legal forms, as word sequences after the punctuation rules above ("S.p.A." -> "spa").
_LEGAL_SUFFIXES: frozenset[tuple[str, ...]] = frozenset(
    tuple(suffix.split())
    for group in (
        # English
        "inc, incorporated, ltd, limited, llc, llp, plc, corp, corporation, co, company, pty, "
        "limited liability company, public limited company",
        # German ("e. V." and "e. K." are also written with a space)
        "gmbh, ggmbh, ag, kg, kgaa, ev, e v, ek, e k, aktiengesellschaft, "
        "gesellschaft mit beschrankter haftung",
        # French, Spanish, Italian, Portuguese, Luxembourgish ("S.à r.l.")
        "sa, s a, sas, sarl, sa rl, spa, srl, ltda",
        # Dutch, Nordic ("A/S" arrives as "as"), Japanese, Polish, European
        "bv, nv, oy, oyj, ab, asa, as, aps, kk, sp z oo, se",
    )
    for suffix in group.split(", ")
)
_MAX_SUFFIX_WORDS = max(len(suffix) for suffix in _LEGAL_SUFFIXES)


# Pure, and asked about the same few names all day (every command resolves its partner, `log`
# its longer readings too): remembered, it is a dictionary lookup.
@lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """Return the key under which two partner names count as the same partner.

    Rules, in order:

    1. Case is ignored (``str.casefold``, which also turns "ß" into "ss"), and so are
       zero-width spaces and joiners, look-alikes of marks (``AS_TYPED``).
    2. Accents are ignored: NFKD decomposition with combining marks dropped, after mapping the
       letters NFKD leaves alone: æ→ae, ø→o, œ→oe, ł→l, đ/ð→d, þ→th, ı→i.
    3. ``&`` and ``+`` mean "and" between words ("Procter & Gamble" = "Procter and Gamble");
       before the first letter or digit or after the last they join nothing and are dropped
       ("+Acumen" = "Acumen"). Words for "and" in other languages ("und", "et", "y") are
       left alone.
    4. Apostrophes are dropped ("Children's" = "Childrens"). A dot is dropped when it closes an
       abbreviation ("e.V." = "eV", "S.p.A." = "SpA") and separates words when a word of two or
       more letters follows it ("St.Gallen" = "St Gallen"). "A/S" becomes "as". Any other
       punctuation separates words. Whitespace is collapsed.
    5. A leading "The" is dropped.
    6. Legal-form suffixes at the end are dropped, repeatedly, together with an "and" joining
       them ("Acme Holding GmbH & Co. KG" = "Acme Holding"): Inc, Incorporated, Ltd, Limited,
       LLC, LLP, PLC, Corp, Corporation, Co, Company, Pty, GmbH, gGmbH, AG, KG, KGaA, e.V., e.K.,
       Aktiengesellschaft, SA, SAS, SARL, S.à r.l., SpA, Srl, Ltda, BV, NV, Oy, Oyj, AB, ASA,
       A/S (AS), ApS, KK, Sp. z o.o., SE. Words such as "Foundation", "Group" or "Holding"
       are part of the name and kept.

    If steps 5-6 would leave nothing (a partner called "The Co"), the name is kept without them
    ("the co"), so a name with letters or digits never has an empty key. A name without any
    letters or digits gives "".
    """
    text = name.casefold().translate(AS_TYPED).translate(_LETTER_MAP)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    text = _AND_SYMBOL.sub(" and ", _EDGE_MARKS.sub("", text))
    text = _APOSTROPHE.sub("", text)
    text = _DOT_BEFORE_WORD.sub(" ", text).replace(".", "")
    text = _LETTER_SLASH_LETTER.sub(r"\1\2", text)
    words = _NON_WORD.sub(" ", text).split()

    core = words[1:] if words[:1] == ["the"] else words
    stripped = True
    while stripped:
        stripped = False
        for size in range(min(_MAX_SUFFIX_WORDS, len(core)), 0, -1):
            if tuple(core[-size:]) in _LEGAL_SUFFIXES:
                core = core[:-size]
                if core[-1:] == ["and"]:
                    core = core[:-1]
                stripped = True
                break
    return " ".join(core or words)


def same_letters(a: str, b: str) -> bool:
    """Whether two names are written with the same letters and digits in the same order, case,
    accents, punctuation and spacing aside ("Logbook" and "logbook", "Medecins" and
    "Médecins", "Acme-Org" and "Acme Org"): one name spelt another way, not another name."""

    def letters(name: str) -> str:
        text = unicodedata.normalize("NFKD", name.casefold().translate(_LETTER_MAP))
        return "".join(char for char in text if char.isalnum())

    return letters(a) == letters(b)


# The words of the legal forms, and the joining words, that any partner's name may hold.
_FORM_WORDS = frozenset(word for suffix in _LEGAL_SUFFIXES for word in suffix) | frozenset(
    "the and of for".split()
)


def generic_name(name: str) -> bool:
    """Whether `name` names no partner in particular: only legal forms and joining words ("Inc",
    "The", "Ltd", "e.V.", "The Co"), or one of the `ORGANISATION_WORDS` alone ("Foundation",
    "The International Inc"). As an alias it would stand for a word that many names hold, so
    `registry` refuses it; two organisation words ("Global Fund") can be a name."""
    words = tokens(normalize_name(name))
    if all(word in _FORM_WORDS for word in words):
        return True
    return len(words) == 1 and words[0] in ORGANISATION_WORDS


# "w/o", "w/out" and "w/" written out ("Doctors w/o Borders" is "Doctors Without Borders"): a
# name with them also goes by this spelling (`name_keys`). Only as a second key, so that the key
# a name is stored under (`normalize_name`) stays what it always was.
_WITHOUT = re.compile(r"(?<![^\W\d_])w/o(?:ut)?(?![^\W\d_])")
_WITH = re.compile(r"(?<![^\W\d_])w/(?![^\W\d_])")
# "w/o" typed without its slash ("Doctors wo Borders", "Doctors w.o. Borders"), read so only
# between two words: "wo" is also a word and a name of its own ("Wo Hing Society", "Wo ist
# Kim?"), where it begins a name rather than joining two of its words.
_WITHOUT_UNSLASHED = re.compile(r"(?<=\S)\s+w\.?o\.?\s+(?=\S)")


def name_keys(name: str) -> list[str]:
    """The keys a partner name goes by: `normalize_name`'s ("Ärzte" -> "arzte"), and for a
    name with ä, ö or ü, that of the name with them written ae, oe and ue ("aerzte"), as German
    speakers type them without the letter; for a name with "w/o", "w/out" or "w/" (or, between
    two words, "wo" or "w.o."), that of the name with them written out ("without", "with").
    Two names are the same when their keys meet: so "Aerzte ohne Grenzen" and "Arzte ohne
    Grenzen" both find "Ärzte ohne Grenzen", and "Doctors w/o Borders" and "Doctors wo
    Borders" find "Doctors Without Borders", while "Joe" and "Jo" stay apart."""
    text = unicodedata.normalize("NFC", name.casefold())
    spellings = [name, text.translate(_UMLAUT_SPELLING)]
    written_out = _WITH.sub(" with ", _WITHOUT.sub(" without ", text))
    written_out = _WITHOUT_UNSLASHED.sub(" without ", written_out)
    if written_out != text:
        spellings += [written_out, written_out.translate(_UMLAUT_SPELLING)]
    return list(dict.fromkeys(normalize_name(spelling) for spelling in spellings))


# Titles before a person's name, as words after normalization ("Dr." -> "dr").
_HONORIFICS = frozenset(
    "dr prof professor mr mrs ms miss mx sir dame madam madame mme mlle herr frau sr sra srta "
    "dott dottssa ing".split()
)


# A role, team or organisation in brackets after a person's name ("Jane Doe (CEO)", "Jane Doe
# [Oxfam]"): said about the person, not part of who they are.
_TRAILING_ASIDE = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])\s*$")


def person_key(name: str) -> str:
    """The key under which two names of a contact person count as the same person: case,
    accents and punctuation ignored as for partners ("José Ruiz-Díaz" = "jose ruiz diaz"),
    leading titles dropped ("Dr. Jane Doe" = "Jane Doe", "Prof. Dr. Anna Weber" = "Anna
    Weber"), and so are asides in brackets at the end ("Jane Doe (CEO)" = "Jane Doe"), as a
    title before the name is: whoever types the name with them or without means one person,
    shown as they were first saved. Legal suffixes are not dropped: people have none. A name
    that is only a title, or only an aside, keeps it."""
    text = name
    while (bare := _TRAILING_ASIDE.sub("", text, count=1)) != text and _has_word(bare):
        text = bare
    text = text.casefold().translate(AS_TYPED).translate(_LETTER_MAP)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    text = _APOSTROPHE.sub("", text)
    words = _NON_WORD.sub(" ", text.replace(".", " ")).split()
    core = list(words)
    while len(core) > 1 and core[0] in _HONORIFICS:
        core = core[1:]
    return " ".join(core or words)


def _has_word(text: str) -> bool:
    return any(char.isalnum() for char in text)


def tokens(normalized: str) -> list[str]:
    """Split a ``normalize_name`` key into its words."""
    return normalized.split()


def _keep_shortest(best: dict[int, _Entry], entry: _Entry) -> None:
    """Keep `entry` as its partner's in `best` if it is the shortest (then first) label yet."""
    current = best.get(entry.partner_id)
    if current is None or (len(entry.key), entry.label) < (len(current.key), current.label):
        best[entry.partner_id] = entry


def _trigrams(normalized: str) -> set[str]:
    # Each word is padded on its own rather than the whole string, so the set does not depend
    # on word order ("Gates Foundation Bill and Melinda").
    grams: set[str] = set()
    for word in tokens(normalized):
        padded = f" {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _letters(key: str) -> str:
    return "".join(sorted(set(key)))


def _unmatched_words(words: Iterable[str], other: str) -> int:
    return sum(
        1
        for word in words
        if len(word) >= SIGNIFICANT_WORD_LEN
        and fuzz.partial_ratio(word, other, score_cutoff=WORD_MATCH_CUTOFF) == 0
    )


def one_typo_away(typed: str, name: str) -> bool:
    """Whether `typed` is `name` as typed with one typo (a letter wrong, missing or extra, two
    letters swapped), case and spacing aside. For the legal form that ends a name ("Acme
    Corpp" of "Acme Corp"), which keys drop: the typo is in no key, so no score sees it."""
    a, b = (" ".join(text.casefold().split()) for text in (typed, name))
    return a != b and OSA.distance(a, b, score_cutoff=1) == 1


def _one_typo(a: str, b: str) -> bool:
    """Whether two keys differ by one typo that character similarity undervalues in a short
    name (see ``ONE_TYPO_SCORE``): one edit of optimal string alignment (a letter wrong,
    missing or extra, or two adjacent letters swapped) in keys of `TYPO_MIN_LEN` characters or
    more; in shorter ones of `SWAP_MIN_LEN` or more, only a swap ("MFS" of "MSF") or a doubled
    letter doubled on its neighbour ("WFF" of "WWF"), never another letter ("UNDP" of "UNEP")."""
    if a == b or abs(len(a) - len(b)) > 1 or OSA.distance(a, b, score_cutoff=1) != 1:
        return False
    if min(len(a), len(b)) >= TYPO_MIN_LEN:
        return True
    if len(a) != len(b) or len(a) < SWAP_MIN_LEN:
        return False
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) == 2:  # one edit that changes two letters: they are swapped
        return True
    # One letter wrong: a typo only if it is the doubled letter moved to its neighbour, that is
    # if the two letters at `at` are the letters on either side of it ("wwf" / "wff").
    (at,) = differ
    around = {a[at - 1] if at > 0 else "", a[at + 1] if at + 1 < len(a) else ""}
    return {a[at], b[at]} == around


def _abbreviates(short: str, word: str, *, first: bool) -> bool:
    """Whether `short` is an abbreviation of `word`: its first letter and then some of the
    others in order ("intl" of "international", "assn" of "association"). A first word that is
    only the start of a longer one ("plan" of "planet") is another name, not an abbreviation;
    after the first, "univ" and "inst" abbreviate too."""
    if len(short) < ABBREVIATION_MIN_LEN or len(short) >= len(word) or short[0] != word[0]:
        return False
    if first and word.startswith(short):
        return False
    letters = iter(word)
    return all(letter in letters for letter in short)


def _slipped(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with one letter left out or added inside it, first and last
    letters kept ("oxfm" of "oxfam"), both of `SLIP_MIN_LEN` letters or more, and `word` says
    which body it is (not one of the `ORGANISATION_WORDS`, nor a legal form). A letter more or
    less at either end makes another word ("plan"/"plant", "lion"/"lions"), and so does a
    wrong letter in a short one ("care"/"core": `_one_typo`)."""
    if abs(len(typed) - len(word)) != 1 or min(len(typed), len(word)) < SLIP_MIN_LEN:
        return False
    if typed[0] != word[0] or typed[-1] != word[-1]:
        return False
    if word in ORGANISATION_WORDS or word in _FORM_WORDS:
        return False
    return OSA.distance(typed, word, score_cutoff=1) == 1


def _leads(query: list[str], words: list[str]) -> bool:
    """Whether the query's words are the first of `words`, each as written, abbreviated
    (`_abbreviates`) or, for one word only, with one typo (`_one_typo`).

    A query of one word abbreviates only a whole name: a name of one word, or one whose other
    words are all `ORGANISATION_WORDS` ("Oxfm" of "Oxfam International"). Taken for the first
    word of any longer name, a short word is the first letter and some others of too many
    names to suggest them ("Care" of "Caribbean Housing Fund", "Core" of "Cooperative for
    Literacy", "FAO" of "Fondation for Farmers", "Action" of "Association for Trade"); with
    two words or more ("Intl Rescue Committee"), the next words say which name is meant."""
    if not query or len(query) > len(words):
        return False
    abbreviating = len(query) > 1 or all(word in ORGANISATION_WORDS for word in words[1:])
    typo_left = True
    for index, (typed, word) in enumerate(zip(query, words, strict=False)):
        if typed == word or (abbreviating and _abbreviates(typed, word, first=index == 0)):
            continue
        if typo_left and _one_typo(typed, word):
            typo_left = False
            continue
        return False
    return True


_NUMBER_OR_WORD = re.compile(r"\d+|[^\d\s]+")


def differ_in_numbers_only(a: str, b: str) -> bool:
    """Whether two ``normalize_name`` keys have the same words and differ only in their numbers
    ("rotary club 01" / "rotary club 02", "district 9" / "district 10", "rotary club 2" /
    "rotary club"): numbered chapters or branches, not one partner spelt two ways. Numbers are
    compared by value ("01" is "1"), and a number inside a word counts as one ("club02")."""
    words: list[list[str]] = [[], []]
    numbers: list[list[int]] = [[], []]
    for side, key in enumerate((a, b)):
        for run in _NUMBER_OR_WORD.findall(key):
            if run.isdigit():
                numbers[side].append(int(run))
            else:
                words[side].append(run)
    return words[0] == words[1] and numbers[0] != numbers[1]


def contains_words(longer: str, shorter: str) -> bool:
    """Whether the ``normalize_name`` key `shorter` occurs whole in `longer`, as its words
    (not inside a word), with words of `longer` left over."""
    return longer != shorter and f" {shorter} " in f" {longer} "


def _countries_in(words: Sequence[str], *, joining: bool = True) -> int | None:
    """How many countries (`COUNTRY_CODES`, `COUNTRY_NAMES`) `words` name when they are
    nothing but countries and `ORGANISATION_WORDS` (without `joining`, none of those that join
    words: `_JOINING_WORDS`); None when they are anything else."""
    at, count = 0, 0
    while at < len(words):
        size = next(
            (
                size
                for size in range(min(_COUNTRY_WORDS_MAX, len(words) - at), 0, -1)
                if " ".join(words[at : at + size]) in COUNTRY_NAMES
            ),
            0,
        )
        if size or words[at] in COUNTRY_CODES:
            at, count = at + max(size, 1), count + 1
        elif words[at] in ORGANISATION_WORDS and (joining or words[at] not in _JOINING_WORDS):
            at += 1
        else:
            return None
    return count


def same_body_contained(longer: str, shorter: str) -> bool:
    """Whether the ``normalize_name`` key `shorter`, found whole in `longer`
    (`contains_words`), makes the two likely one partner: `shorter` is at least
    `MIN_CONTAINED_NAME` characters, and it has several words or `longer` adds only
    `ORGANISATION_WORDS` and countries, by code or by name, to it ("Oxfam Int", "Oxfam UK",
    "Plan Canada" of "Oxfam" or "Plan")."""
    if len(shorter) < MIN_CONTAINED_NAME or not contains_words(longer, shorter):
        return False
    if len(tokens(shorter)) > 1:
        return True
    added = tokens(longer)
    added.remove(shorter)
    return _countries_in(added) is not None


class _Office(NamedTuple):
    """A name as a body and the office words after it (`_office_of`)."""

    body: str
    words: str
    countries: int


def _office_of(key: str) -> _Office | None:
    """A ``normalize_name`` key as a body and the office words that end it, countries and
    `ORGANISATION_WORDS` but joining words ("plan international uk": "plan", "international
    uk", one country), the body as short as it can be; None when no such words end it."""
    words = tokens(key)
    for at in range(1, len(words)):
        if words[at - 1] in _JOINING_WORDS:
            continue
        countries = _countries_in(words[at:], joining=False)
        if countries is not None:
            return _Office(" ".join(words[:at]), " ".join(words[at:]), countries)
    return None


def sibling_offices(a: str, b: str) -> bool:
    """Whether two ``normalize_name`` keys name offices of one body: the same first words
    (`_office_of`: at least `MIN_OFFICE_BODY` characters, not ending in a joining word), then
    other words that are only countries, by code or name alike, and `ORGANISATION_WORDS`, a
    country among them ("Plan UK" / "Plan Canada", "Oxfam GB" / "Oxfam UK", "Plan
    International" / "Plan Deutschland"). "Bank of Canada" / "Bank of America" are not: a
    country after a joining word is part of the name."""
    office, other = _office_of(a), _office_of(b)
    return (
        office is not None
        and other is not None
        and office.body == other.body
        and office.words != other.words
        and office.countries + other.countries > 0
        and len(office.body) >= MIN_OFFICE_BODY
    )


def name_similarity(a: str, b: str, *, score_cutoff: float | None = None) -> float:
    """Score two ``normalize_name`` keys from 0 to 100 for "Did you mean" suggestions.

    The base is the better of ``fuzz.ratio`` (typos) and ``fuzz.token_sort_ratio`` (word order),
    raised to ``ONE_TYPO_SCORE`` for one typo that the ratio undervalues in a short name
    (`_one_typo`: "Oxfan", "MFS", "WFF"; never "UNDP" for "UNEP"). ``UNMATCHED_WORD_PENALTY``
    is then subtracted for every significant word of either name that has no approximate
    counterpart in the other, so names that share boilerplate but differ by a real word
    ("World Health Organization" / "World Trade Organization") fall well below
    ``FUZZY_THRESHOLD``. ``fuzz.WRatio`` was rejected: its partial matching scores a name against
    any longer name containing it at 90 ("Siemens" / "Siemens Energy", "Fiat" / "Fiat Chrysler
    Automobiles").

    Scores below ``score_cutoff`` are returned as 0, as rapidfuzz scorers do.
    """
    cutoff = score_cutoff or 0.0
    score = max(
        fuzz.ratio(a, b, score_cutoff=cutoff), fuzz.token_sort_ratio(a, b, score_cutoff=cutoff)
    )
    if score < ONE_TYPO_SCORE and _one_typo(a, b):
        score = ONE_TYPO_SCORE
    if score == 0.0:
        return 0.0
    unmatched = _unmatched_words(tokens(a), b) + _unmatched_words(tokens(b), a)
    score -= UNMATCHED_WORD_PENALTY * unmatched
    return score if score >= cutoff and score > 0.0 else 0.0


# --- Index ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """A registered partner that a looked-up name matches."""

    partner_id: int
    # The registered name or alias that matched, as registered.
    label: str
    # 0-100; always 100 for an exact match.
    score: float
    # True when the normalized query equals the normalized label.
    exact: bool


class _Entry(NamedTuple):
    partner_id: int
    label: str
    key: str


class NameIndex:
    """In-memory index of partner names and aliases for exact and fuzzy lookup.

    Fuzzy lookup scores only a few hundred candidates: those sharing the most character
    trigrams with the query, found through an inverted index from trigram to entries. That keeps
    a fuzzy lookup at about 5 ms at 100,000 labels, where scoring every label with the same
    scorer takes about 200 ms (bench/name_resolution.py). Lookups only read, so
    they may run concurrently; ``add`` and ``remove_partner`` must not run alongside anything
    else (build a new index and swap it in, or hold a lock).
    """

    def __init__(self) -> None:
        # Entry ids are positions in this list; removed entries become None so ids stay valid.
        self._entries: list[_Entry | None] = []
        # Tuples rather than lists: nearly all hold one id, and a 1-tuple is 40% smaller.
        self._by_key: dict[str, tuple[int, ...]] = {}
        self._by_partner: dict[int, tuple[int, ...]] = {}
        # Trigram -> ascending entry ids (ids only grow, so appending keeps them sorted).
        self._postings: dict[str, list[int]] = {}
        # Entry id -> number of distinct trigrams of its key, for ranking candidates.
        self._gram_counts: list[int] = []
        # The letters short keys use, sorted -> their entries (`SHORT_KEY_MAX`).
        self._by_letters: dict[str, tuple[int, ...]] = {}
        self._size = 0

    def __len__(self) -> int:
        """Number of labels (names and aliases) in the index."""
        return self._size

    def has_key(self, key: str) -> bool:
        """Whether some label's normalized key is ``key``."""
        return key in self._by_key

    def add(self, partner_id: int, label: str) -> None:
        """Register ``label`` (a name or an alias) for ``partner_id``.

        A label whose key equals one the partner already has is ignored; a label with two keys
        (`name_keys`: "Ärzte" is also "Aerzte") is found by either. Raises ``ValueError`` if the
        label has no letters or digits, since it could never be looked up.
        """
        keys = name_keys(label)
        if not keys[0]:
            raise ValueError(f"partner label {label!r} has no letters or digits")
        added = [self._add_entry(partner_id, label, key) for key in keys]
        if added[0]:
            self._size += 1

    def _add_entry(self, partner_id: int, label: str, key: str) -> bool:
        """Index `label` under `key`; False when the partner already has that key."""
        entry_ids = self._by_partner.get(partner_id, ())
        if any(self._entry(entry_id).key == key for entry_id in entry_ids):
            return False
        grams = _trigrams(key)
        entry_id = len(self._entries)
        self._entries.append(_Entry(partner_id, label, key))
        self._gram_counts.append(len(grams))
        self._by_partner[partner_id] = (*entry_ids, entry_id)
        self._by_key[key] = (*self._by_key.get(key, ()), entry_id)
        for gram in grams:
            self._postings.setdefault(gram, []).append(entry_id)
        if len(key) <= SHORT_KEY_MAX:
            letters = _letters(key)
            self._by_letters[letters] = (*self._by_letters.get(letters, ()), entry_id)
        return True

    def remove_partner(self, partner_id: int) -> None:
        """Remove every label of ``partner_id``; unknown ids are ignored."""
        for entry_id in self._by_partner.pop(partner_id, ()):
            entry = self._entry(entry_id)
            self._entries[entry_id] = None
            same_key = tuple(other for other in self._by_key[entry.key] if other != entry_id)
            if same_key:
                self._by_key[entry.key] = same_key
            else:
                del self._by_key[entry.key]
            for gram in _trigrams(entry.key):
                posting = self._postings[gram]
                del posting[bisect_left(posting, entry_id)]
                if not posting:
                    del self._postings[gram]
            if len(entry.key) <= SHORT_KEY_MAX:
                letters = _letters(entry.key)
                kept = tuple(other for other in self._by_letters[letters] if other != entry_id)
                if kept:
                    self._by_letters[letters] = kept
                else:
                    del self._by_letters[letters]
            if entry.key == normalize_name(entry.label):  # not a label's second key
                self._size -= 1

    def answering(self, query: str) -> list[Match]:
        """Every partner that a label meets under any of `query`'s keys (`name_keys`), one
        match each, by label: those `query` already stands for, whichever of the two is the
        other's spelling ("Aerzte" of "Ärzte", "w/o" of "without"). `lookup` stops at the
        first key that finds someone; a name about to be given must meet nobody else's."""
        found: dict[int, _Entry] = {}
        for key in name_keys(query):
            for entry_id in self._by_key.get(key, ()) if key else ():
                entry = self._entry(entry_id)
                current = found.get(entry.partner_id)
                if current is None or entry.label < current.label:
                    found[entry.partner_id] = entry
        ranked = sorted(found.values(), key=lambda entry: (entry.label, entry.partner_id))
        return [
            Match(partner_id=entry.partner_id, label=entry.label, score=100.0, exact=True)
            for entry in ranked
        ]

    def lookup(self, query: str, *, limit: int = 3) -> list[Match]:
        """Return the partners ``query`` names, best first.

        If the normalized query equals the key of any label, only those partners are returned,
        as exact matches with score 100. Otherwise up to ``limit`` distinct partners whose best
        label scores at least ``FUZZY_THRESHOLD`` (``name_similarity``) are returned, by
        descending score, then label, then partner id. A query without letters or digits
        matches nothing.
        """
        keys = name_keys(query)
        key = keys[0]
        if not key or limit < 1:
            return []
        exact_ids = next((found for other in keys if (found := self._by_key.get(other))), None)
        if exact_ids:
            entries = sorted(
                (self._entry(entry_id) for entry_id in exact_ids),
                key=lambda entry: (entry.label, entry.partner_id),
            )
            return [
                Match(partner_id=entry.partner_id, label=entry.label, score=100.0, exact=True)
                for entry in entries[:limit]
            ]

        candidates = self._candidates(key)
        if len(key) <= SHORT_KEY_MAX:
            candidates = [*candidates, *self._by_letters.get(_letters(key), ())]
        choices = {entry_id: self._entry(entry_id).key for entry_id in candidates}
        scored = process.extract(
            key, choices, scorer=name_similarity, limit=None, score_cutoff=FUZZY_THRESHOLD
        )
        best: dict[int, Match] = {}
        for _, score, entry_id in scored:
            entry = self._entry(entry_id)
            current = best.get(entry.partner_id)
            if current is None or (-score, entry.label) < (-current.score, current.label):
                best[entry.partner_id] = Match(
                    partner_id=entry.partner_id, label=entry.label, score=score, exact=False
                )
        ranked = sorted(
            best.values(), key=lambda match: (-match.score, match.label, match.partner_id)
        )
        return ranked[:limit]

    def extending(self, query: str, *, limit: int = 3, same_length: bool = False) -> list[Match]:
        """The partners with a name or alias whose first words are the words of `query`, as
        typed, abbreviated or with one typo (`_leads`: "Plan" → "Plan International", "Oxfam
        Intl" or "Oxfamm" → "Oxfam International"; a single word abbreviates a whole name only,
        "Oxfm" but not "Care" of "Caribbean Housing Fund"), best (shortest) first.

        For "Did you mean" when `lookup` finds nothing: `name_similarity` deliberately scores a
        name against a longer one containing it low, so that "Siemens" is not taken for
        "Siemens Energy" when registering; a person who typed the first word(s) of a name
        still wants to be offered it. With `same_length`, only names of as many words (an
        abbreviated or misspelt spelling of the whole name: what `add` warns about). Queries
        shorter than `MIN_EXTENDED_QUERY` find nothing.

        Failing those, one word with a letter left out or added inside it (`_slipped`: "Oxfm"
        of "Oxfam Great Britain" or "Oxfam GB", whose other words say more than what kind of
        body it is) is offered the names that start with the one word it is a slip of; of two
        such words ("Bred": "Bread …", "Breed …") it is neither's, and nothing is offered.
        Never with `same_length`: a name of one word is `lookup`'s.
        """
        key = normalize_name(query)
        if len(key) < MIN_EXTENDED_QUERY or limit < 1:
            return []
        typed = tokens(key)
        slip = not same_length and len(typed) == 1
        # Names that start with the words as typed, then those the words are an abbreviation
        # or a typo of: "Org050" is "Org050 Foundation" before "Org005 Foundation".
        as_typed: dict[int, _Entry] = {}
        best: dict[int, _Entry] = {}
        slipped: dict[int, _Entry] = {}
        for entry_id in self._candidates(key):
            entry = self._entry(entry_id)
            words = tokens(entry.key)
            if entry.key == key or (same_length and len(words) != len(typed)):
                continue
            if entry.key.startswith(key + " "):
                _keep_shortest(as_typed, entry)
            elif _leads(typed, words):
                _keep_shortest(best, entry)
            elif slip and len(words) > 1 and _slipped(key, words[0]):
                _keep_shortest(slipped, entry)
        if not as_typed and not best:
            if len({tokens(entry.key)[0] for entry in slipped.values()}) == 1:
                best = slipped

        def order(entries: Iterable[_Entry]) -> list[_Entry]:
            return sorted(entries, key=lambda e: (len(e.key), e.label, e.partner_id))

        ranked = order(as_typed.values())
        ranked += order(entry for entry in best.values() if entry.partner_id not in as_typed)
        return [
            Match(
                partner_id=entry.partner_id,
                label=entry.label,
                score=100.0 * len(key) / len(entry.key),
                exact=False,
            )
            for entry in ranked[:limit]
        ]

    def duplicates(self, query: str, *, limit: int = 3) -> list[Match]:
        """The partners a name about to be registered likely duplicates, for `add`'s "is it one
        of these?" (an exact name or alias is refused before this asks). The one rule:

        1. a near miss of a name or alias (`lookup`: a typo, another word order);
        2. a spelling of a whole name, word for word, either one the short form of the other
           (`extending` with `same_length`, and `_shortened`: "Oxfam Intl" of "Oxfam
           International", and "Oxfam International" of a registered "Oxfam Intl");
        3. one name containing the other whole, as words, either way round ("Save the
           Children Fund" / "Save the Children", "Acme Holding" / "Acme Corp"), the shorter at
           least `MIN_CONTAINED_NAME` characters and, when it is one word, with only words such
           as "International", "Int" or "Foundation", or a country's code ("UK"), added
           (`same_body_contained`: "Oxfam Int", "Oxfam UK" of "Oxfam"). A one-word name or
           alias is too often an ordinary word of other names, or a parent of another body
           ("Plan B Foundation" is not Plan International for its alias "Plan"; "Siemens" /
           "Siemens Energy", "Doctors" / "Doctors on Call" are neither way round);
        4. another office of the same body: the same first words, then only countries (by code
           or name) and words such as "International" on either side, a country among them
           (`sibling_offices`: "Plan Canada" of "Plan UK", "Oxfam GB" of "Oxfam UK");
        but never two names that differ only in their numbers ("Rotary Club 02" / "Rotary Club
        01", "Rotary Club 2" / "Rotary Club": `differ_in_numbers_only`).

        Each rule holds whichever of the two names was registered first: the question should
        not depend on the order the two were added in.

        In that order (3 and 4: the registered name closest in length first), one match per
        partner, at most `limit`.
        """
        key = normalize_name(query)
        if not key or limit < 1:
            return []
        found = [
            *self.lookup(query, limit=limit),
            *self.extending(query, limit=limit, same_length=True),
            *self._shortened(key),
            *self._contained(key),
            *self._offices(key),
        ]
        # Refused before this asks: a partner one of whose labels has the name's own key. One
        # that only another spelling of it meets ("Aerzte" of "Ärzte", "w/o" of "without":
        # `name_keys`) is refused too (`answering`), but is still named here if asked.
        registered = {
            entry.partner_id
            for entry_id in self._by_key.get(key, ())
            if normalize_name((entry := self._entry(entry_id)).label) == entry.key
        }
        chosen: dict[int, Match] = {}
        for match in found:
            if match.partner_id in chosen or match.partner_id in registered:
                continue
            if any(differ_in_numbers_only(key, other) for other in name_keys(match.label)):
                continue
            chosen[match.partner_id] = match
        return list(chosen.values())[:limit]

    def _shortened(self, key: str) -> list[Match]:
        """The entries of as many words as `key` that are a short form of it ("oxfam intl" of
        "oxfam international": `duplicates`, 2, the other way round from `extending`)."""
        typed = tokens(key)
        entries = [
            entry
            for entry_id in self._candidates(key)
            if len(words := tokens((entry := self._entry(entry_id)).key)) == len(typed)
            and entry.key != key
            and _leads(words, typed)
        ]
        entries.sort(key=lambda e: (-len(e.key), e.label, e.partner_id))
        return [
            Match(
                partner_id=entry.partner_id,
                label=entry.label,
                score=100.0 * len(entry.key) / len(key),
                exact=False,
            )
            for entry in entries
        ]

    def _contained(self, key: str) -> list[Match]:
        """The entries whose key `key` contains whole or that contain `key` whole, as the same
        body (`duplicates`, 3), the closest in length first."""
        entries = [
            entry
            for entry_id in self._candidates(key)
            if same_body_contained(key, (entry := self._entry(entry_id)).key)
            or same_body_contained(entry.key, key)
        ]
        return _closest_first(entries, key)

    def _offices(self, key: str) -> list[Match]:
        """The entries that name another office of the body `key` names an office of
        (`duplicates`, 4), the closest in length first. Only a name that ends in office words
        (`_office_of`) looks, among the entries that share the most trigrams with its body: one
        more trigram count than the other rules, on `add` only."""
        office = _office_of(key)
        if office is None:
            return []
        start = office.body + " "
        entries = [
            entry
            for entry_id in self._candidates(office.body)
            if (entry := self._entry(entry_id)).key.startswith(start)
            and sibling_offices(key, entry.key)
        ]
        return _closest_first(entries, key)

    def _entry(self, entry_id: int) -> _Entry:
        entry = self._entries[entry_id]
        assert entry is not None, f"entry {entry_id} was removed but is still referenced"
        return entry

    def _candidates(self, key: str) -> list[int]:
        grams = _trigrams(key)
        postings = sorted(
            (posting for gram in grams if (posting := self._postings.get(gram))), key=len
        )
        shared: Counter[int] = Counter()
        budget = POSTINGS_BUDGET
        for posting in postings:
            if len(posting) > budget and shared:
                break
            shared.update(posting)
            budget -= len(posting)
        if len(shared) <= MAX_CANDIDATES:
            return list(shared)
        # Ranking every entry that shares a trigram costs more than the counting, so first drop
        # those sharing fewer than half of what the best entry shares. A typo (even a swap of
        # two letters) puts at most 4 trigrams into the query that the intended name lacks, so
        # the floor stays at or below best - 4 and that name survives it.
        best = max(shared.values())
        floor = max(1, min(math.ceil(best / 2), best - 4))
        pool = [entry_id for entry_id, count in shared.items() if count >= floor]
        if len(pool) <= MAX_CANDIDATES:
            return pool
        # Dice coefficient rather than the raw count, so a long name that happens to contain
        # the query's trigrams does not crowd out a short name that is mostly the query.
        query_grams = len(grams)
        gram_counts = self._gram_counts
        return heapq.nlargest(
            MAX_CANDIDATES,
            pool,
            key=lambda entry_id: shared[entry_id] / (query_grams + gram_counts[entry_id]),
        )


def _closest_first(entries: list[_Entry], key: str) -> list[Match]:
    """`entries` as matches of `key`, the closest in length first, scored by how much of the
    longer of the two the shorter is."""
    entries.sort(key=lambda e: (abs(len(e.key) - len(key)), e.label, e.partner_id))
    return [
        Match(
            partner_id=entry.partner_id,
            label=entry.label,
            score=100.0 * min(len(entry.key), len(key)) / max(len(entry.key), len(key)),
            exact=False,
        )
        for entry in entries
    ]
