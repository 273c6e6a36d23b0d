"""Text cut to Slack's limits after escaping, never inside an entity, link or mention."""

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.limits import SECTION_TEXT, cut, echo, fit_blocks, length
from bot.slack.rendering import Renderer, escape_mrkdwn
from tests.support.slack_api import block_kit_problems


def test_short_text_is_kept_whole() -> None:
    assert cut("fine", 10) == "fine"


def test_a_cut_never_splits_an_entity() -> None:
    text = escape_mrkdwn("a" * 7 + "&b")  # "aaaaaaa&amp;b"
    assert cut(text, 10) == "aaaaaaa…"


def test_a_cut_never_splits_a_mention_or_link() -> None:
    assert cut("hello <@U0123456789> there", 12) == "hello …"
    assert cut("see <https://example.com|the docs>", 20) == "see …"


def test_length_counts_utf16_code_units() -> None:
    assert length("😀") == 2 and length("é") == 1
    assert length(cut("😀" * 10, 9)) <= 9


@given(st.text(alphabet=st.sampled_from(["a", "&", "<", ">", "😀", " ", "@"]), max_size=400))
def test_every_cut_fits_and_leaves_no_open_entity(raw: str) -> None:
    text = escape_mrkdwn(raw)
    out = cut(text, 50)
    assert length(out) <= 50
    if out != text:
        body = out.removesuffix("…")
        assert text.startswith(body)
        amp = body.rfind("&")
        assert amp == -1 or ";" in body[amp:]


def test_echo_cuts_what_was_typed() -> None:
    assert echo("x" * 500) == "x" * 79 + "…"


def test_every_rendered_payload_is_fitted() -> None:
    """A notice of 10,000 characters of markup still renders inside the section limit."""
    blocks = Renderer().render("notice.json.j2", text="<&>" * 3334)
    text = blocks[0]["text"]["text"]
    assert length(text) <= SECTION_TEXT and text.endswith("…") and "&amp;" in text
    assert block_kit_problems("message", {"blocks": blocks}) == []


def test_options_and_initial_options_are_kept_inside_limits() -> None:
    options = [
        {"text": {"type": "plain_text", "text": f"s{i}" * 40}, "value": f"s{i}"} for i in range(130)
    ]
    element = {
        "type": "multi_static_select",
        "action_id": "value",
        "options": options,
        "initial_options": [options[0], options[120]],
    }
    (block,) = fit_blocks(
        [
            {
                "type": "input",
                "block_id": "b",
                "label": {"type": "plain_text", "text": "x"},
                "element": element,
            }
        ]
    )
    assert len(block["element"]["options"]) == 100
    assert all(length(o["text"]["text"]) <= 75 for o in block["element"]["options"])
    assert [o["value"] for o in block["element"]["initial_options"]] == ["s0"]
    assert block["element"]["initial_options"][0] == block["element"]["options"][0]
