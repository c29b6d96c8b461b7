"""Long work shows a bar on a terminal and stays silent in logs."""

import io

from infra.output import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_known_total_draws_a_bar_with_percent_and_counts():
    screen = Terminal()
    with Progress("replay", stream=screen, total=200) as shown:
        shown(50)
    assert "replay: [########......................]  25% 50/200" in screen.getvalue()


def test_a_total_can_arrive_with_the_count():
    assert Progress("days").render(3) == "days: 3"
    shown = Progress("days", stream=Terminal())
    shown(228, 456)
    assert shown.render(456).endswith("100% 456/456")


def test_nothing_is_written_when_output_is_not_a_terminal():
    log = io.StringIO()
    with Progress("relay", stream=log, total=10) as shown:
        shown(5)
    assert log.getvalue() == ""
