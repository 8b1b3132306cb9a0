"""Name search benchmark: by name, by sound (other characters), by pinyin and by initials.

Run with ``make bench`` (or ``.venv/bin/python tests/bench/bench_search.py``) on a database
holding a demo. The reference is the name-only search of the same run (a substring of a
real name): the ratios say what matching by spelling costs on top.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def median_ms(fn: object, runs: int = 30) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    import django

    django.setup()
    from geo.analysis.pinyin import spell
    from geo.models import Compound
    from geo.services.search import search_places, spell_missing_names

    names = list(Compound.objects.values_list("name", flat=True)[:200])
    if not names:
        sys.exit("no compounds: load a demo first (make demo)")
    name = max(names, key=len)
    pinyin, initials = spell(name)
    t0 = time.perf_counter()
    added = spell_missing_names()
    print(f"spelling {added:,} new names: {(time.perf_counter() - t0) * 1000:,.0f} ms "
          f"({Compound.objects.count():,} compounds)")
    reference = median_ms(lambda: search_places(name[1:4]))
    print(f"search by name part {name[1:4]!r}: median {reference:.1f} ms (reference)")
    for label, q in [("sound (pinyin of the name)", pinyin[:10]),
                     ("initials", initials), ("a typo'd name (trigram)", name[:-1] + "X")]:
        ms = median_ms(lambda q=q: search_places(q))
        print(f"search by {label} {q!r}: median {ms:.1f} ms ({ms / reference:.2f}× reference)")


if __name__ == "__main__":
    main()
