"""GIFT reader: every example of Moodle's GIFT documentation, escapes, comments, categories,
text formats, skipped kinds and problems at their lines."""

from __future__ import annotations

from typing import Any

import pytest

from web.formats import Parsed
from web.formats import Place
from web.formats import gift
from web.formats.gift_read import ANY_NUMBER


def _read(text: str) -> Parsed:
    return gift.read(text, title="Quiz")


def _one(text: str) -> tuple[str, str, dict[str, Any]]:
    """The only question of `text`: kind, text and body as JSON; nothing else reported."""
    parsed = _read(text)
    assert (parsed.problems, parsed.skipped) == ([], [])
    assert len(parsed.questions) == 1
    question = parsed.questions[0].question
    assert question.points == 1.0
    return question.kind, question.text, question.body.model_dump(mode="json")


def _choices(body: dict[str, Any]) -> list[tuple[str, float, str]]:
    return [(c["text"], c["weight"], c["feedback"]) for c in body["choices"]]


def _problems(text: str) -> list[tuple[int | None, str]]:
    return [(problem.place.line, problem.message) for problem in _read(text).problems]


# Moodle's documented examples, one test each


def test_multiple_choice() -> None:
    kind, text, body = _one(
        "Who's buried in Grant's tomb?{=Grant ~no one ~Napoleon ~Churchill ~Mother Teresa }"
    )
    assert (kind, text) == ("single_choice", "Who's buried in Grant's tomb?")
    assert _choices(body) == [
        ("Grant", 100, ""),
        ("no one", 0, ""),
        ("Napoleon", 0, ""),
        ("Churchill", 0, ""),
        ("Mother Teresa", 0, ""),
    ]


def test_multiple_choice_with_title_comment_and_lines() -> None:
    parsed = _read(
        "//Comment line\n::Question title\n:: Question {\n"
        "  ~wrong answer\n  ~another wrong answer\n  =right answer\n}"
    )
    assert parsed.problems == []
    assert parsed.questions[0].place == Place(line=2)
    question = parsed.questions[0].question
    assert question.text == "Question"  # the title is kept nowhere
    assert _choices(question.body.model_dump()) == [
        ("wrong answer", 0, ""),
        ("another wrong answer", 0, ""),
        ("right answer", 100, ""),
    ]


def test_multiple_choice_with_feedback() -> None:
    kind, _, body = _one(
        "::Q2:: What's between orange and green in the spectrum?\n"
        "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }"
    )
    assert kind == "single_choice"
    assert _choices(body) == [
        ("yellow", 100, "right; good!"),
        ("red", 0, "wrong, it's yellow"),
        ("blue", 0, "wrong, it's yellow"),
    ]


def test_weighted_single_choice() -> None:
    kind, _, body = _one(
        "::Jesus' hometown::Jesus Christ was from {\n"
        "  ~Jerusalem#This was an important city, but the wrong answer.\n"
        "  ~%25%Bethlehem#He was born here, but not raised here.\n"
        "  ~%50%Galilee#You need to be more specific.\n"
        "  =Nazareth#Yes! That's right!\n}"
    )
    assert kind == "single_choice"
    assert [(text, weight) for text, weight, _ in _choices(body)] == [
        ("Jerusalem", 0),
        ("Bethlehem", 25),
        ("Galilee", 50),
        ("Nazareth", 100),
    ]


def test_multiple_answers_with_negative_weights() -> None:
    kind, _, body = _one(
        "What two people are entombed in Grant's tomb? {\n"
        "  ~%-100%No one\n  ~%50%Grant\n  ~%50%Grant's wife\n  ~%-100%Grant's father\n}"
    )
    assert (kind, body["scoring"]) == ("multiple_response", "weights")
    assert [(text, weight) for text, weight, _ in _choices(body)] == [
        ("No one", -100),
        ("Grant", 50),
        ("Grant's wife", 50),
        ("Grant's father", -100),
    ]


def test_thirds_are_multiple_response() -> None:
    kind, _, body = _one("Pick the primes {~%33.33333%2 ~%33.33333%3 ~%33.33333%5 ~%-33.33333%4}")
    assert kind == "multiple_response"
    assert [weight for _, weight, _ in _choices(body)] == [33.33333, 33.33333, 33.33333, -33.33333]


def test_an_equals_sign_makes_it_single_choice_even_with_weights() -> None:
    """Moodle's rule (format.php): several may be chosen only when no answer is `=`."""
    kind, _, body = _one("Q {=a ~%50%b ~c}")
    assert kind == "single_choice"
    assert [weight for _, weight, _ in _choices(body)] == [100, 50, 0]


@pytest.mark.parametrize(
    ("block", "answer"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)]
)
def test_true_false(block: str, answer: bool) -> None:
    kind, text, body = _one(f"Grant was buried in a tomb in New York City.{block}")
    assert (kind, text) == ("true_false", "Grant was buried in a tomb in New York City.")
    assert body == {"answer": answer, "feedback_true": "", "feedback_false": ""}


def test_true_false_feedback_first_is_for_the_wrong_answer() -> None:
    parsed = _read("The sun rises in the East.{T#Wrong answer#Right answer####General feedback}")
    question = parsed.questions[0].question
    assert question.explanation == "General feedback"
    assert question.body.model_dump() == {
        "answer": True,
        "feedback_true": "Right answer",
        "feedback_false": "Wrong answer",
    }
    _, _, body = _one("The sun rises in the West.{FALSE#Wrong answer#Right answer}")
    assert body == {
        "answer": False,
        "feedback_true": "Wrong answer",
        "feedback_false": "Right answer",
    }


def test_short_answer() -> None:
    kind, text, body = _one(
        "Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}"
    )
    assert (kind, text, body["case_sensitive"]) == (
        "short_answer",
        "Who's buried in Grant's tomb?",
        False,
    )
    assert [(a["text"], a["weight"]) for a in body["answers"]] == [
        ("Grant", 100),
        ("Ulysses S. Grant", 100),
        ("Ulysses Grant", 100),
    ]


def test_weighted_short_answer_with_feedback() -> None:
    kind, _, body = _one(
        "::Jesus' hometown:: Jesus Christ was from {\n"
        "  =Nazareth#Yes! That's right!\n"
        "  =%75%Nazereth#Right, but misspelled.\n"
        "  =%25%Bethlehem#He was born here, but not raised here.\n}"
    )
    assert kind == "short_answer"
    assert [(a["text"], a["weight"], a["feedback"]) for a in body["answers"]] == [
        ("Nazareth", 100, "Yes! That's right!"),
        ("Nazereth", 75, "Right, but misspelled."),
        ("Bethlehem", 25, "He was born here, but not raised here."),
    ]


def test_matching() -> None:
    kind, text, body = _one(
        "Match the following countries with their corresponding capitals. {\n"
        "  =Canada -> Ottawa\n  =Italy  -> Rome\n  =Japan  -> Tokyo\n  =India  -> New Delhi\n"
        "  ####It's good to know the capitals\n}"
    )
    assert (kind, text) == (
        "matching",
        "Match the following countries with their corresponding capitals.",
    )
    assert [(p["prompt"], p["answer"]) for p in body["pairs"]] == [
        ("Canada", "Ottawa"),
        ("Italy", "Rome"),
        ("Japan", "Tokyo"),
        ("India", "New Delhi"),
    ]
    assert body["distractors"] == []


def test_matching_without_a_prompt_is_a_distractor() -> None:
    _, _, body = _one(
        "Which animal eats which food? { =cat -> cat food =dog -> dog food = -> bird food }"
    )
    assert [(p["prompt"], p["answer"]) for p in body["pairs"]] == [
        ("cat", "cat food"),
        ("dog", "dog food"),
    ]
    assert body["distractors"] == ["bird food"]


@pytest.mark.parametrize(
    ("block", "answer"),
    [
        ("{#1822:5}", {"value": "1822", "tolerance": "5", "min": None, "max": None}),
        (
            "{#3.14159:0.0005}",
            {"value": "3.14159", "tolerance": "0.0005", "min": None, "max": None},
        ),
        ("{#1..5}", {"value": None, "tolerance": "0", "min": "1", "max": "5"}),
        ("{#-5..-1.5}", {"value": None, "tolerance": "0", "min": "-5", "max": "-1.5"}),
        ("{#2}", {"value": "2", "tolerance": "0", "min": None, "max": None}),
        ("{#1e3}", {"value": "1E+3", "tolerance": "0", "min": None, "max": None}),
    ],
)
def test_numeric(block: str, answer: dict[str, Any]) -> None:
    kind, _, body = _one(f"When was Ulysses S. Grant born?{block}")
    assert kind == "numeric"
    assert body["answers"] == [{"weight": 100, "feedback": "", **answer}]


def test_numeric_with_several_weighted_answers() -> None:
    _, _, body = _one(
        "When was Ulysses S. Grant born? {#\n"
        "  =1822:0      # Correct! you get full credit\n"
        "  =%50%1822:2 # He was born in 1822. You get half credit for being close.\n}"
    )
    assert [(a["value"], a["tolerance"], a["weight"], a["feedback"]) for a in body["answers"]] == [
        ("1822", "0", 100, "Correct! you get full credit"),
        ("1822", "2", 50, "He was born in 1822. You get half credit for being close."),
    ]


def test_numeric_feedback_for_any_other_number() -> None:
    _, _, body = _one("Pi to two places? {# =3.14 ~#Not quite: 3.14}")
    assert body["answers"][1] == {
        "weight": 0,
        "feedback": "Not quite: 3.14",
        "value": None,
        "tolerance": "0",
        "min": str(-ANY_NUMBER),
        "max": str(ANY_NUMBER),
    }


def test_general_feedback() -> None:
    parsed = _read("What's 2+2? {=4 =four ####Simple arithmetic: 2 + 2 = 4}")
    assert parsed.questions[0].question.explanation == "Simple arithmetic: 2 + 2 = 4"


# Escapes, comments, categories, line endings


def test_escaped_specials_are_text() -> None:
    _, _, body = _one("Which answer equals 5? {\n  ~ \\= 2 + 2\n  = \\= 2 + 3\n  ~ \\= 2 + 4\n}")
    assert [(text, weight) for text, weight, _ in _choices(body)] == [
        ("= 2 + 2", 0),
        ("= 2 + 3", 100),
        ("= 2 + 4", 0),
    ]


def test_control_characters_example() -> None:
    _, _, body = _one(
        "::GIFT Control Characters::\n"
        "Which of the following is NOT a control character for the GIFT import format? {\n"
        "   ~ \\~     # \\~ is a control character.\n"
        "   ~ \\=     # \\= is a control character.\n"
        "   ~ \\#     # \\# is a control character.\n"
        "   ~ \\{     # \\{ is a control character.\n"
        "   ~ \\}     # \\} is a control character.\n"
        "   = \\\\     # Correct! \\\\ (backslash) is not a control character.\n}"
    )
    assert _choices(body) == [
        ("~", 0, "~ is a control character."),
        ("=", 0, "= is a control character."),
        ("#", 0, "# is a control character."),
        ("{", 0, "{ is a control character."),
        ("}", 0, "} is a control character."),
        ("\\", 100, "Correct! \\ (backslash) is not a control character."),
    ]


def test_escaped_colon_newline_and_lone_backslash() -> None:
    _, text, _ = _one("\\:\\: not a title\\nsecond line C:\\temp {T}")
    assert text == "::: not a title\nsecond line C:\\temp".replace(":::", "::")


def test_comments_anywhere_and_comment_only_blocks() -> None:
    parsed = _read(
        "// a header\n// more\n\nQuestion one {\n// inside the block\n=yes ~no\n}\n\n// the end\n"
    )
    assert parsed.problems == []
    assert len(parsed.questions) == 1
    assert parsed.questions[0].place == Place(line=4)
    assert _choices(parsed.questions[0].question.body.model_dump()) == [
        ("yes", 100, ""),
        ("no", 0, ""),
    ]


def test_url_inside_a_line_is_not_a_comment() -> None:
    _, text, _ = _one("See http\\://example.org and say {T}")
    assert text == "See http://example.org and say"


@pytest.mark.parametrize(
    ("line", "category"),
    [
        ("$CATEGORY: tom", "tom"),
        ("$CATEGORY: tom/dick", "dick"),
        ("$CATEGORY: $course$/top/Science", "Science"),
        ("$CATEGORY: $course$/top/Science//Nature", "Science/Nature"),
        ("$CATEGORY: $course$/top", ""),
    ],
)
def test_category_keeps_the_last_segment(line: str, category: str) -> None:
    parsed = _read(f"{line}\n\nQ {{T}}")
    assert parsed.category == category
    assert len(parsed.questions) == 1


def test_category_in_force_at_the_first_question_wins() -> None:
    parsed = _read("$CATEGORY: first\n\n$CATEGORY: second\n\nQ {T}\n\n$CATEGORY: later\n\nR {F}")
    assert parsed.category == "second"
    assert len(parsed.questions) == 2


def test_a_question_right_under_its_category_is_read() -> None:
    parsed = _read("$CATEGORY: Physics\nWhat is g? {#9.81:0.01}")
    assert parsed.category == "Physics"
    assert parsed.questions[0].place == Place(line=2)
    assert parsed.questions[0].question.kind == "numeric"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings(newline: str) -> None:
    text = newline.join(["Q one {", "=yes", "~no#not this", "}", "", "// c", "Q two", "{T}", ""])
    parsed = _read(text)
    assert [(q.place.line, q.question.text) for q in parsed.questions] == [
        (1, "Q one"),
        (7, "Q two"),
    ]
    assert _choices(parsed.questions[0].question.body.model_dump()) == [
        ("yes", 100, ""),
        ("no", 0, "not this"),
    ]


def test_unicode_text_as_given() -> None:
    _, text, body = _one("Qui a écrit « Les Misérables » ? {=Hugo ~Zola ~Ελύτης}")
    assert text == "Qui a écrit « Les Misérables » ?"
    assert [c[0] for c in _choices(body)] == ["Hugo", "Zola", "Ελύτης"]


# Text formats


@pytest.mark.parametrize(
    ("prefix", "fmt"),
    [
        ("", "plain"),
        ("[moodle]", "plain"),
        ("[plain]", "plain"),
        ("[markdown]", "markdown"),
        ("[html]", "html"),
    ],
)
def test_text_formats(prefix: str, fmt: str) -> None:
    parsed = _read(f"{prefix}Is *this* <b>bold</b>? {{=yes ~no}}")
    question = parsed.questions[0].question
    assert (question.text_format, question.text) == (fmt, "Is *this* <b>bold</b>?")


def test_unknown_bracket_is_text() -> None:
    _, text, _ = _one("[latex]x^2 {T}")
    assert text == "[latex]x^2"


def test_plain_answer_in_an_html_question_is_escaped() -> None:
    parsed = _read("[html]<p>Pick</p>{=[plain]a < b ~[html]<i>c</i>}")
    question = parsed.questions[0].question
    assert question.text_format == "html"
    assert [c.text for c in question.body.choices] == ["a &lt; b", "<i>c</i>"]  # type: ignore[attr-defined]


def test_html_answer_makes_the_question_html() -> None:
    parsed = _read("Pick one{=[html]<b>x</b> ~y & z}")
    question = parsed.questions[0].question
    assert question.text_format == "html"
    assert question.text == "Pick one"
    assert [c.text for c in question.body.choices] == ["<b>x</b>", "y &amp; z"]  # type: ignore[attr-defined]


def test_data_image_kept_and_linked_images_dropped() -> None:
    data = '<img src="data\\:image/png;base64,iVBORw0KGgo\\=" alt="dot">'
    parsed = _read(
        f'[html]Look {data} and <img src="https\\://x.org/a.png"> and '
        '<img src\\="@@PLUGINFILE@@/b.png">{T}'
    )
    question = parsed.questions[0].question
    assert question.text == 'Look <img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"> and  and'
    assert [(p.place.line, p.message.split(" (")[0]) for p in parsed.problems] == [
        (1, "image dropped: https://x.org/a.png"),
        (1, "image dropped: @@PLUGINFILE@@/b.png"),
    ]


def test_markdown_image_dropped() -> None:
    parsed = _read("[markdown]See ![chart](http\\://x.org/c.png) {T}")
    assert parsed.questions[0].question.text == "See"
    assert parsed.problems[0].message.startswith("image dropped: http://x.org/c.png")


def test_img_in_plain_text_is_words() -> None:
    _, text, _ = _one('Is <img src="a.png"> a tag? {T}')
    assert text == 'Is <img src="a.png"> a tag?'


# Skipped kinds


@pytest.mark.parametrize(
    ("text", "title", "reason"),
    [
        (
            "Write a short biography of Dag Hammarskjöld. {}",
            "Write a short biography of Dag Hammarskjöld.",
            "essay",
        ),
        ("::Bio:: Write about him. {####Mention the UN}", "Bio", "essay"),
        (
            "You can use your pencil and paper for these next math questions.",
            "You can use your pencil and paper for these next math quest…",
            "description",
        ),
        (
            "Moodle costs {~lots of money =nothing ~a small amount} to download from moodle.org.",
            "Moodle costs _____ to download from moodle.org.",
            "missing word",
        ),
        ("::Q3:: Two plus {=two =2} equals four.", "Q3", "missing word"),
        (
            "What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.",
            "What is the value of pi (to 3 decimal places)? _____ .",
            "missing word",
        ),
    ],
)
def test_skipped_with_reason(text: str, title: str, reason: str) -> None:
    parsed = _read(f"// first\n{text}")
    assert (parsed.questions, parsed.problems) == ([], [])
    skipped = parsed.skipped[0]
    assert (skipped.place, skipped.title) == (Place(line=2), title)
    assert skipped.reason.startswith(reason) or reason in skipped.reason


# Problems, each at its line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q\n{=a\n~b", [(2, "the answer block `{` is never closed")]),
        ("Q =a ~b}", [(1, "a `}` closes no answer block (write \\} for a brace)")]),
        ("Q {=a {~b}", [(1, "a second `{` inside an answer block (write \\{ for a brace)")]),
        ("Q {#}", [(1, "a numeric answer block needs a number, like {#3.14:0.01}")]),
        ("Q {=}", [(1, "answer 1: must not be empty")]),
        ("Q\n{#\n=1\n=abc}", [(4, "a numeric answer needs a number, found 'abc'")]),
        ("Q {#3,14}", [(1, "a numeric answer needs a number, found '3,14'")]),
        ("Q {#1:x}", [(1, "a numeric answer needs a number, found 'x'")]),
        (
            "Q\n{\n=a\n~%abc%b}",
            [(4, "a weight is a percentage from -100 to 100, like %50%; found '%abc%'")],
        ),
        (
            "Q {=a ~%150%b}",
            [(1, "a weight is a percentage from -100 to 100, like %50%; found '%150%'")],
        ),
        (
            "Q {=%50%a ~b}",
            [(1, "an answer marked = is worth 100%; write ~%50% for part of the points")],
        ),
        (
            "Q {~a ~b}",
            [(1, "no right answer: mark it with = (or give the right answers weights like ~%50%)")],
        ),
        (
            "Q {~%50%a ~%40%b}",
            [(1, "the answers: the positive weights must add up to 100% (they add up to 90%)")],
        ),
        (
            "Q {~%50%a ~b}",
            [(1, "the answers: the positive weights must add up to 100% (they add up to 50%)")],
        ),
        ("Q {=a}", []),  # one answer is a short answer, as in Moodle
        ("Q {=only ~}", [(1, "answer 2: must not be empty")]),
        ("Q {=a -> 1 =b}", [(1, "a matching answer is `=prompt -> answer`, not 'b'")]),
        ("Q {=a -> 1}", [(1, "a matching question needs at least 2 pairs (found 1)")]),
        ("Q {=a -> 1 =a -> 2}", [(1, "the answers: each prompt must be different")]),
        (
            "Q\n{=a\n~b ~c ~d ~e ~f ~g ~h ~i ~j}",
            [(2, "a choice question has 10 answers; at most 9 (keys 1-9 pick one)")],
        ),
        ("{T}", [(1, "question text: is required")]),
        ("Q {#5:-1}", [(1, "answer 1 tolerance: must be at least 0")]),
        ("Q {#5..1}", [(1, "answer 1: min must not be greater than max")]),
        ("Q {=%0%a}", [(1, "the answers: needs one answer worth 100%")]),
    ],
)
def test_problems_at_their_lines(text: str, expected: list[tuple[int, str]]) -> None:
    assert _problems(f"First {{T}}\n\n{text}") == [
        (line + 2, message) for line, message in expected
    ]


def test_long_answer_reported_at_its_line() -> None:
    problems = _problems("Q {\n=right\n~" + "x" * 501 + "\n}")
    assert problems == [(3, "answer 2: must be at most 500 characters")]


def test_a_bad_question_leaves_the_others_read() -> None:
    parsed = _read("A {T}\n\nB {=x\n\nC {F}")
    assert [q.question.text for q in parsed.questions] == ["A", "C"]
    assert [(p.place.line, p.message) for p in parsed.problems] == [
        (3, "the answer block `{` is never closed")
    ]
    assert not parsed.ok


@pytest.mark.parametrize("text", ["", "\n\n  \n", "// only a comment\n"])
def test_nothing_to_read(text: str) -> None:
    assert [(p.place, p.message) for p in _read(text).problems] == [
        (Place(), "no questions found (is this a GIFT file?)")
    ]


def test_title_is_the_callers() -> None:
    parsed = gift.read("::Ignored:: Q {T}", title="From the file name")
    assert (parsed.title, parsed.ok) == ("From the file name", True)
