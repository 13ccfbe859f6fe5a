"""Benchmark partner-name lookup (bot.naming.NameIndex) against a plain linear rapidfuzz scan.

Run from the project root with ``python -m bench.name_resolution`` or
``python bench/name_resolution.py``. Registries of 1,000, 10,000 and 100,000 synthetic partner
names are built deterministically; each is queried with a mix of exact, one-typo and
reordered-word names. Then one-word queries ("Care", "Oxfam") ask for "Did you mean" as
`PartnerNames.candidates` does (`lookup`, else `extending`) in the same registries with a few
real organisations added: what is offered, and how fast. Always exits 0: the PASS/FAIL marks
are for reading, not for CI.
"""

from __future__ import annotations

import gc
import math
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

if __package__ in (None, ""):
    # Run as a script: make the project root importable, as ``python -m`` would.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.naming import FUZZY_THRESHOLD, NameIndex, name_similarity, normalize_name

SEED = 20_240_601
SIZES = (1_000, 10_000, 100_000)
# Per-lookup targets for the index, by registry size.
TARGET_MS = {10_000: 10.0, 100_000: 40.0}
INDEX_QUERIES = 600
KINDS = ("exact", "typo", "word order")
# The linear scan is what is too slow; a few dozen queries measure it well enough.
BASELINE_QUERIES = {1_000: 200, 10_000: 100, 100_000: 30}


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


_PLACES = _words(
    "Sahel, Baltic, Andean, Nordic, Pacific, Atlantic, Alpine, Danube, Mekong, Nile, Amazon, "
    "Caribbean, Balkan, Arctic, Himalayan, Kalahari, Rhine, Volta, Zambezi, Sonoran, Kenya, "
    "Uganda, Ghana, Senegal, Malawi, Nepal, Bolivia, Peru, Chile, Vietnam, Cambodia, Jordan, "
    "Lebanon, Yemen, Sudan, Somalia, Haiti, Colombia, Ecuador, Mongolia, Bavaria, Flanders, "
    "Catalonia, Lombardy, Scotland, Wales, Brittany, Québec, São Paulo, Bogotá, Lagos, "
    "Nairobi, Kampala, Dakar, Accra, Lima, Quito, Hanoi, Dhaka, Kathmandu, Berlin, München, "
    "Zürich, Genève, Wien, Kraków, Łódź, Göteborg, Århus, Tromsø, Reykjavík, Córdoba, Málaga, "
    "Sevilla, Lisboa, Porto, Torino, Napoli, Lyon, Marseille, Toulouse, Rotterdam, Utrecht, "
    "Antwerpen, Gent, Brno, Cluj, Tallinn, Riga, Vilnius, Gdańsk, Plzeň, Košice, Ljubljana, "
    "Zagreb"
)
_SURNAMES = _words(
    "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Hoffmann, Schäfer, "
    "Koch, Richter, Klein, Wolf, Schröder, Neumann, Dubois, Durand, Lefèvre, Moreau, Laurent, "
    "Girard, Bonnet, Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, García, "
    "Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Silva, Santos, "
    "Oliveira, Sousa, Costa, Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Novák, Svoboda, "
    "Dvořák, Nielsen, Jensen, Hansen, Pedersen, Andersen, Johansson, Karlsson, Nilsson, "
    "Eriksson, Larsson, Virtanen, Korhonen, Mäkinen, Nieminen, Smith, Johnson, Williams, "
    "Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas, Moore, Jackson, Martin, "
    "Thompson, White, Harris, Clarke, Lewis, Walker, Okafor, Adeyemi, Mensah, Owusu, Kamau, "
    "Otieno, Mwangi, Diallo, Traoré, Ndiaye, Nguyen, Tran, Pham, Kim, Park, Sato, Suzuki, "
    "Takahashi, Tanaka, Wang, Zhang, Chen, Singh, Kumar, Sharma, Patel, Khan, Rahman, Hossain, "
    "Yılmaz, Kaya, Demir, Şahin, Çelik, Øberg, Ærø, Łukasik, Ström, Björk"
)
_CAUSES = _words(
    "Health, Water, Education, Energy, Climate, Food, Nutrition, Housing, Literacy, Forest, "
    "Ocean, River, Wildlife, Refugee, Migrant, Children, Youth, Women, Farmers, Fisheries, "
    "Sanitation, Vaccine, Malaria, Tuberculosis, Maternal Health, Mental Health, Disability, "
    "Human Rights, Peace, Democracy, Justice, Media, Arts, Heritage, Science, Research, "
    "Innovation, Technology, Digital, Microfinance, Livelihoods, Resilience, Disaster Relief, "
    "Emergency, Development, Environment, Conservation, Biodiversity, Soil, Seed, Land, "
    "Cooperation, Solidarity, Community, Rural, Urban, Mobility, Transport, Trade, Enterprise"
)
_KINDS = _words(
    "Foundation, Trust, Alliance, Institute, Network, Partnership, Initiative, Society, "
    "Council, Association, Fund, Programme, Project, Centre, Coalition, Forum, Collective, "
    "Union, Federation, Agency, Service, Mission, League, Commission, Observatory, Academy, "
    "Consortium, Cooperative, Stiftung, Fondation"
)
_INDUSTRIES = _words(
    "Logistics, Engineering, Consulting, Pharma, Biotech, Software, Analytics, Solar, "
    "Wind Power, Hydro, Telecom, Media, Capital, Insurance, Shipping, Foods, Textiles, "
    "Chemicals, Robotics, Medical, Diagnostics, Water Systems, Construction, Mining, Agritech, "
    "Fintech, Aviation, Rail, Packaging, Printing, Energy, Mobility, Security, Semiconductors, "
    "Instruments, Retail, Hospitality, Publishing, Architecture, Materials"
)
_COMPANY_WORDS = ("Group", "Holding", "Partners", "Systems", "Solutions", "Industries", "Works")
_COMPANY_SUFFIXES = _words(
    "GmbH, AG, GmbH & Co. KG, e.V., gGmbH, Ltd, Ltd., Limited, Inc., LLC, PLC, Corp., S.A., "
    "SAS, SARL, S.p.A., Srl, B.V., N.V., Oy, AB, ASA, A/S, ApS, Pty Ltd, KK, Sp. z o.o., SE"
)
_NGO_SUFFIXES = ("", "", "", "", "e.V.", "gGmbH", "Inc.", "Ltd")


def _org_name(rng: random.Random) -> str:
    pattern = rng.randrange(6)
    if pattern == 0:
        name = f"{rng.choice(_PLACES)} {rng.choice(_CAUSES)} {rng.choice(_KINDS)}"
    elif pattern == 1:
        name = f"{rng.choice(_SURNAMES)} {rng.choice(_CAUSES)} {rng.choice(_KINDS)}"
    elif pattern == 2:
        name = f"{rng.choice(_KINDS)} for {rng.choice(_CAUSES)} in {rng.choice(_PLACES)}"
    elif pattern == 3:
        first, second = rng.sample(_SURNAMES, 2)
        return f"{first} & {second} {rng.choice(_INDUSTRIES)} {rng.choice(_COMPANY_SUFFIXES)}"
    elif pattern == 4:
        return (
            f"{rng.choice(_PLACES)} {rng.choice(_INDUSTRIES)} {rng.choice(_COMPANY_WORDS)} "
            f"{rng.choice(_COMPANY_SUFFIXES)}"
        )
    else:
        return f"{rng.choice(_SURNAMES)} {rng.choice(_INDUSTRIES)} {rng.choice(_COMPANY_SUFFIXES)}"
    return f"{name} {rng.choice(_NGO_SUFFIXES)}".strip()


def synthetic_names(count: int, *, seed: int = SEED) -> list[str]:
    """Return ``count`` realistic organisation names with distinct normalized keys."""
    rng = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = _org_name(rng)
        key = normalize_name(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names


def _typo(name: str, rng: random.Random) -> str:
    # One edit on a letter of the name proper, not of its legal suffix.
    core = normalize_name(name)
    positions = [i for i, char in enumerate(core) if char.isalpha()]
    i = rng.choice(positions[:-1])
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    match rng.randrange(4):
        case 0:
            return core[:i] + core[i + 1] + core[i] + core[i + 2 :]
        case 1:
            return core[:i] + core[i + 1 :]
        case 2:
            return core[:i] + letter + core[i:]
        case _:
            return core[:i] + letter + core[i + 1 :]


def _reordered(name: str, rng: random.Random) -> str:
    words = normalize_name(name).split()
    shuffled = list(words)
    while len(words) > 1 and shuffled == words:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


@dataclass(frozen=True)
class Query:
    text: str
    partner_id: int
    kind: str


def make_queries(names: Sequence[str], count: int, *, seed: int = SEED) -> list[Query]:
    """Exact, one-typo and reordered-word queries, in equal shares, for random partners."""
    rng = random.Random(seed + len(names))
    queries: list[Query] = []
    for n in range(count):
        partner_id = rng.randrange(len(names))
        name = names[partner_id]
        match n % 3:
            case 0:
                queries.append(Query(name.upper(), partner_id, KINDS[0]))
            case 1:
                queries.append(Query(_typo(name, rng), partner_id, KINDS[1]))
            case _:
                queries.append(Query(_reordered(name, rng), partner_id, KINDS[2]))
    return queries


@dataclass(frozen=True)
class Timing:
    mean_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, elapsed_ms: Sequence[float]) -> Timing:
        ordered = sorted(elapsed_ms)
        return cls(
            mean_ms=statistics.fmean(ordered),
            p50_ms=statistics.median(ordered),
            p99_ms=ordered[round(0.99 * (len(ordered) - 1))],
            max_ms=ordered[-1],
        )

    def __str__(self) -> str:
        return (
            f"mean {self.mean_ms:7.2f} ms  p50 {self.p50_ms:7.2f} ms  "
            f"p99 {self.p99_ms:7.2f} ms  max {self.max_ms:7.2f} ms"
        )


def _time_each(queries: Sequence[Query], run: Callable[[Query], object]) -> list[float]:
    """Milliseconds taken by ``run`` for each query, in order."""
    elapsed: list[float] = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        elapsed.append((time.perf_counter() - start) * 1000)
    return elapsed


def build_index(names: Sequence[str]) -> NameIndex:
    index = NameIndex()
    for partner_id, name in enumerate(names):
        index.add(partner_id, name)
    return index


def _index_memory_mb(names: Sequence[str]) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = build_index(names)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    gc.collect()
    return (after - before) / 2**20


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run_size(size: int) -> None:
    names = synthetic_names(size)
    memory_mb = _index_memory_mb(names)

    start = time.perf_counter()
    index = build_index(names)
    build_s = time.perf_counter() - start

    queries = make_queries(names, INDEX_QUERIES)
    for query in queries[:10]:  # warm-up, so the first lookups do not count cold caches
        index.lookup(query.text)
    found: dict[str, list[bool]] = {}

    def run_index(query: Query) -> object:
        matches = index.lookup(query.text)
        found.setdefault(query.kind, []).append(
            any(match.partner_id == query.partner_id for match in matches)
        )
        return matches

    indexed_ms = _time_each(queries, run_index)
    indexed = Timing.of(indexed_ms)

    keys = [normalize_name(name) for name in names]
    baseline_queries = queries[: BASELINE_QUERIES[size]]
    linear_best: dict[str, float] = {}

    def run_linear_same_scorer(query: Query) -> object:
        best = process.extract(
            normalize_name(query.text),
            keys,
            scorer=name_similarity,
            limit=3,
            score_cutoff=FUZZY_THRESHOLD,
        )
        linear_best[query.text] = best[0][1] if best else 0.0
        return best

    def run_linear_c_scorer(query: Query) -> object:
        return process.extract(
            normalize_name(query.text), keys, scorer=fuzz.token_sort_ratio, limit=3
        )

    linear = Timing.of(_time_each(baseline_queries, run_linear_same_scorer))
    linear_c = Timing.of(_time_each(baseline_queries, run_linear_c_scorer))

    print(f"\n== {size:,} partners ==")
    print(f"  build {build_s:.2f} s, index memory ~{memory_mb:.1f} MiB (tracemalloc)")
    target = TARGET_MS.get(size)
    verdict = (
        f"target p99 <= {target:g} ms: {_mark(indexed.p99_ms <= target)}" if target else "no target"
    )
    print(f"  {f'index, all {len(queries)} queries':<28}{indexed}   {verdict}")
    for kind in KINDS:
        timing = Timing.of(
            [ms for query, ms in zip(queries, indexed_ms, strict=True) if query.kind == kind]
        )
        hits = found[kind]
        print(f"  {f'  {kind}':<28}{timing}   target in top 3: {sum(hits)}/{len(hits)}")
    # Speed-ups compare the same queries (the first ones), so the mix of kinds is equal.
    same_queries = statistics.fmean(indexed_ms[: len(baseline_queries)])
    print(
        f"  {'linear scan, same scorer':<28}{linear}   ({len(baseline_queries)} queries; "
        f"index x{linear.mean_ms / same_queries:.0f} faster)"
    )
    print(
        f"  {'linear scan, C-only scorer':<28}{linear_c}   (fuzz.token_sort_ratio; "
        f"index x{linear_c.mean_ms / same_queries:.1f} faster)"
    )
    # Blocking can only lose matches: does the index find the best score the scan finds?
    fuzzy = [query for query in baseline_queries if query.kind != "exact"]
    same_best = sum(
        math.isclose(
            max((match.score for match in index.lookup(query.text)), default=0.0),
            linear_best[query.text],
        )
        for query in fuzzy
    )
    print(f"  index best score == linear-scan best score: {same_best}/{len(fuzzy)} fuzzy queries")
    print(f"  process peak RSS so far {_peak_rss_mb():.0f} MiB")


# Real organisations added to the synthetic names for the one-word queries (CARE is not one).
REAL_NAMES = _words(
    "Oxfam International, Save the Children, Plan International, World Food Programme, "
    "World Vision International, World Wide Fund for Nature, "
    "International Committee of the Red Cross, Médecins Sans Frontières, "
    "Amnesty International, Caritas Internationalis, Food and Agriculture Organization, "
    "Welthungerhilfe, International Rescue Committee, Norwegian Refugee Council, "
    "Islamic Relief Worldwide, Mercy Corps, Catholic Relief Services, Habitat for Humanity, "
    "Action Against Hunger, Handicap International, Terre des Hommes, Concern Worldwide, "
    "Christian Aid, Wellcome Trust, Bill & Melinda Gates Foundation"
)
# Unregistered or short names typed as one word; "Oxfm", "Oxfamm", "Amnesti" and
# "Welthungerhlf" are slips for registered ones.
ONE_WORD_QUERIES = _words(
    "Care, Core, FAO, Caritas, Oxfam, Oxfm, Oxfamm, Save, Plan, World, Red, MSF, UNHCR, Amnesty, "
    "Amnesti, Action, Welthungerhlf, Mercy, Concern, Intl, Goal, Sun, Nile, Child"
)
# Sizes whose one-word offers are listed query by query; for the others only the count.
ONE_WORD_LISTED = 1_000


def run_one_word(size: int) -> None:
    index = build_index([*synthetic_names(size - len(REAL_NAMES)), *REAL_NAMES])
    offers: dict[str, list[str]] = {}

    def did_you_mean(query: Query) -> object:
        found = index.lookup(query.text) or index.extending(query.text)
        offers[query.text] = [match.label for match in found]
        return found

    queries = [Query(text, -1, "one word") for text in ONE_WORD_QUERIES]
    _time_each(queries, did_you_mean)  # warm-up, as for `run_size`
    timing = Timing.of(_time_each(queries, did_you_mean))
    count = sum(len(labels) for labels in offers.values())
    print(f"\n  one-word Did you mean, {size:,} partners with {len(REAL_NAMES)} real ones:")
    print(f"  {f'  {len(queries)} queries':<28}{timing}   {count} offers")
    if size == ONE_WORD_LISTED:
        for text, labels in offers.items():
            print(f"    {text:<14}{'; '.join(labels) or '—'}")


def main() -> int:
    print("Partner-name lookup benchmark (bot.naming.NameIndex)")
    print(f"Python {sys.version.split()[0]}, fuzzy threshold {FUZZY_THRESHOLD:g}")
    print("Targets: <= 10 ms per lookup at 10,000 partners, <= 40 ms at 100,000 (checked on p99)")
    for size in SIZES:
        run_size(size)
    for size in SIZES:
        run_one_word(size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
