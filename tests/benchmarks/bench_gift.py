"""Benchmark: reading 5,000 generated GIFT questions and building their preview lines.

Run with `.venv/bin/python -m tests.benchmarks.bench_gift`. It prints figures and asserts
nothing: timings belong in numbers people read, not in flaky tests.
"""

from __future__ import annotations

import time

from web.formats import Parsed
from web.formats import gift
from web.forms.quiz_import import QuizData

COUNT = 5000
TEMPLATES = (
    "// question {n}\n::Q{n}:: What is {n} + 1?{{\n\t={m}#right\n\t~{n}#no\n\t~%-50%0\n}}",
    "::Q{n}:: Pick the parts of {n}{{\n\t~%50%a\\: {n}\n\t~%50%b\n\t~c#no\n####both}}",
    "[html]<p>Is {n} even?</p>{{{tf}#wrong#right####because}}",
    "Name the number {n}.{{=%100%{n}#yes =%50%about {n} =*#no}}",
    "What is {n} / 2?{{#\n\t={half}:0.5#close enough\n\t=%50%{n}..{m}\n}}",
    "Match for {n}. {{\n\t=a{n} -> 1\n\t=b{n} -> 2\n\t= -> 3\n}}",
    "Describe {n} in words. {{}}",
)


def generate(count: int) -> str:
    blocks = [
        TEMPLATES[n % len(TEMPLATES)].format(
            n=n, m=n + 1, half=n / 2, tf="TRUE" if n % 2 == 0 else "FALSE"
        )
        for n in range(count)
    ]
    return "$CATEGORY: $course$/top/Bench\n\n" + "\n\n".join(blocks) + "\n"


def preview(parsed: Parsed) -> list[str]:
    lines = [f"{q.place} · {q.question.kind} · {q.question.text[:80]}" for q in parsed.questions]
    lines += [f"{problem.place}: {problem.message}" for problem in parsed.problems]
    lines += [f"{s.place}: skipped {s.title}: {s.reason}" for s in parsed.skipped]
    return lines


def main() -> None:
    text = generate(COUNT)
    start = time.perf_counter()
    parsed = gift.read(text, title="Bench")
    read = time.perf_counter() - start
    lines = preview(parsed)
    total = time.perf_counter() - start
    print(f"GIFT: {COUNT} questions, {len(text) / 1024:.0f} KiB")
    print(f"  read:            {read:.3f} s")
    print(f"  read + preview:  {total:.3f} s ({len(lines)} preview lines)")
    print(
        f"  {len(parsed.questions)} questions, {len(parsed.skipped)} skipped, "
        f"{len(parsed.problems)} problems"
    )
    start = time.perf_counter()
    quiz = QuizData(
        "bench",
        "Bench",
        "",
        "Bench",
        "medium",
        None,
        "immediate",
        False,
        False,
        False,
        tuple(q.question for q in parsed.questions),
    )
    written, _ = gift.write(quiz)
    print(f"  write back:      {time.perf_counter() - start:.3f} s ({len(written) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
