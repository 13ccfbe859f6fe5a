"""Job titles typed after a person's name: `Jane Doe, CEO`, `John Roe, Head of Partnerships`.

A comma in a list of people at a partner usually separates people (`Jane Doe, John Roe`), but
after a name it may also start that person's role. A part is read as a role when one of its
words is a common job-title word (or a name suffix such as `Jr.` or `PhD`): people are rarely
named "Director" or "CEO", while roles almost always contain one of these words."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that go on a person's name after it, not a role of theirs (lower case, without dots).
NAME_SUFFIXES = ("jr", "sr", "phd", "mba", "esq")

# Lower case, without dots; hyphenated words are checked whole and by their parts.
TITLE_WORDS = frozenset(
    {
        # Chief officers and their kin.
        *("ceo", "cfo", "cto", "coo", "cmo", "cio", "cpo", "cso", "cro", "cco", "cdo", "chro"),
        *("vp", "svp", "evp", "avp", "md", "gm", "president", "chair", "chairman"),
        *("chairwoman", "chairperson", "chief", "officer", "director", "manager", "head"),
        *("founder", "cofounder", "lead", "secretary", "treasurer", "principal", "advisor"),
        *("adviser", "consultant", "coordinator", "executive", "assistant", "associate"),
        *("analyst", "counsel", "attorney", "trustee", "ambassador", "representative"),
        *("specialist", "intern", "fellow", "editor", "producer", "owner"),
        # Suffixes after a name.
        *NAME_SUFFIXES,
    }
)


def is_job_title(words: Sequence[str]) -> bool:
    """Whether the words typed after a comma name a role rather than another person."""
    return any(_title_word(word) for word in words)


def role_after_name(words: Sequence[str]) -> int | None:
    """Where a role begins in a person's name typed with no comma before it (`Jane Doe CEO`:
    2), at its first job-title word after the first word; None when no word after the first
    is one (`Jane Doe`), or only a suffix that goes on the name (`Jane Doe Jr.`)."""
    return next(
        (
            at
            for at, word in enumerate(words)
            if at > 0 and _title_word(word) and _bare(word) not in NAME_SUFFIXES
        ),
        None,
    )


def _title_word(word: str) -> bool:
    bare = _bare(word)
    return bare in TITLE_WORDS or any(part in TITLE_WORDS for part in bare.split("-"))


def _bare(word: str) -> str:
    return word.casefold().replace(".", "").strip("()")


def split_title(name: str) -> tuple[str, str | None]:
    """`Jane Doe, CEO` → ("Jane Doe", "CEO"): a name and the role typed after its last comma;
    the name alone (and None) when what follows the comma is no role. An aside in brackets
    ending the name is its role too, `Jane Doe (CEO)`, as `contact add` reads it."""
    person, comma, after = name.rpartition(",")
    if not comma or not person.strip() or not is_job_title(after.split()):
        found = TITLE_IN_BRACKETS.match(name)
        if found is None:
            return name, None
        return found["person"], found["title"].strip()
    return person.strip(), after.strip() or None


# `Jane Doe (Head of Partnerships)`: a person, then their title in brackets; both hold a letter
# or digit, so `(CEO)` alone or `Jane ()` is no person with a title.
TITLE_IN_BRACKETS = re.compile(r"^(?P<person>.*\w.*?)\s*\((?P<title>[^()]*\w[^()]*)\)$")
