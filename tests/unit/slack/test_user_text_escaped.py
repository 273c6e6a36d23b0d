"""What a person typed never pings a channel: the card's fallback text is escaped too."""

from datetime import UTC, datetime

from bot.domain.incidents import Incident, IncidentDraft
from bot.domain.slo import Catalog, Service, Team
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.rendering import Renderer
from tests.support.slack_api import block_kit_problems

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
CATALOG = Catalog(
    teams={"pay": Team("pay", "C0PAY")}, services={"checkout": Service("checkout", "pay")}, slos=()
)


def test_the_card_fallback_text_escapes_the_title() -> None:
    title = "<!channel> checkout & <@U0BOSS> down"
    draft = IncidentDraft(title, ("checkout",), AT, None, "<!here> see logs", "U1", "")
    card = IncidentMessages(Renderer(), CATALOG).card(Incident(7, draft, AT))
    text, blocks = card.text, card.blocks
    assert "<!channel>" not in text and "<@U0BOSS>" not in text
    assert text.startswith("INC-7: &lt;!channel&gt; checkout &amp; &lt;@U0BOSS&gt; down")
    assert "<!here>" not in str(blocks) and block_kit_problems("message", {"blocks": blocks}) == []
