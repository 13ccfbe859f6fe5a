"""What reads as a website address in typed text, without Slack or the database.

Shared by the `add` grammar (`MSF (msf.org)` names a website when Slack sent the domain as
text), `liaison import` (a name column holding `Acme (acme.org)`) and the sandbox, which links
typed addresses as Slack does. Kept conservative: a bare domain counts only with a common
ending, so "e.g.", "v1.2" or "St.Louis" stay text.
"""

from __future__ import annotations

import re

# Endings a partner's website commonly has; `www.` or a scheme makes any ending count.
COMMON_TLDS = (
    "com|org|net|edu|gov|int|info|biz|ngo|ong|eu|uk|de|fr|ch|nl|be|at|it|es|dk|se|fi|ie|pl|pt|"
    "no|lu|ca|us|au|nz|jp|in|br|mx|ke|ug|tz|rw|et|ng|gh|sn|za|ph|id|pk|bd|io|co|app|dev|global|"
    "foundation|charity"
)
# A label of a domain name: letters of any script (`münchener-rück.de`), digits and hyphens.
_LABEL = r"(?:[^\W_]|-)+"
# A bare domain with a common ending, as a regular expression to embed (case-insensitive).
BARE_DOMAIN = rf"(?:{_LABEL}\.)+(?:{COMMON_TLDS})(?![\w-])"
_ANY_ENDING = rf"(?:{_LABEL}\.)+[^\W\d_]{{2,63}}"
_PATH = r"(?::\d+)?(?:[/?#]\S*)?"

_WEBSITE = re.compile(
    rf"(?:https?://{_ANY_ENDING}|www\.{_ANY_ENDING}|{BARE_DOMAIN}){_PATH}", re.IGNORECASE
)
# After a word that says an address follows (`Acme website acme.xyz`), any ending counts.
_INTRODUCED = re.compile(rf"(?:https?://)?{_ANY_ENDING}{_PATH}", re.IGNORECASE)


def reads_as_website(text: str, *, introduced: bool = False) -> bool:
    """`acme.org`, `www.acme.io`, `https://acme.example/about`: one address and nothing else.
    `UK`, `2024`, `formerly Acme` or `v1.2` do not. `introduced`: after a word such as
    "website", where a domain of any ending is one (`acme.xyz`)."""
    pattern = _INTRODUCED if introduced else _WEBSITE
    return pattern.fullmatch(text.strip()) is not None


# A name ending in one bracketed word: `Acme (UK) (acme.org)` -> `Acme (UK)`, `acme.org`.
_BRACKETED_LAST = re.compile(r"(?P<name>.*?\S)\s*\(\s*(?P<address>[^()\s]+)\s*\)\s*", re.DOTALL)


def split_website(name: str) -> tuple[str, str | None]:
    """`Acme (acme.org)` -> (`Acme`, `acme.org`): an address in brackets ending a name is the
    partner's website, as `/partner add` reads it. `Acme (UK)`, `Acme (formerly zeta.org)` or
    `(acme.org)` alone stay names, with no website."""
    found = _BRACKETED_LAST.fullmatch(name.strip())
    if found is None or not reads_as_website(found["address"]):
        return name, None
    return found["name"], found["address"]


# A word in brackets, and the start of an address with a scheme (`https://`, `ftp://`).
_IN_BRACKETS = re.compile(r"\(\s*([^()\s]+)\s*\)")
_SCHEMED = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def bracketed_addresses(name: str) -> tuple[list[str], list[str]]:
    """The addresses in brackets in a name (`Zeta (zeta.org) (zeta.com)`), as websites it
    reads, and those with a scheme that read as no website (`(https://)`, `(ftp://zeta.org)`)."""
    websites: list[str] = []
    unreadable: list[str] = []
    for word in _IN_BRACKETS.findall(name):
        if reads_as_website(word):
            websites.append(word)
        elif _SCHEMED.match(word):
            unreadable.append(word)
    return websites, unreadable
