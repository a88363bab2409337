"""`lstmcast report`: one well-formed HTML file that needs nothing outside itself."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.runs import invoke

VOID = {"meta", "img", "br", "hr", "link", "input"}


class Checker(HTMLParser):
    """Tags balanced, no script, every src/href an embedded data: URI or a fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.images = 0
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.problems.append("a script")
        for name, value in attrs:
            if name in {"src", "href"} and not (value or "").startswith(("data:", "#")):
                self.problems.append(f"external {name}: {value}")
        self.images += tag == "img"
        self._in_h2 = tag == "h2"
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")
        self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.headings.append(data)


def test_report_is_well_formed_and_self_contained(tmp_path, write_csv, write_config):
    config = write_config(
        tiny_experiment(write_csv(synthetic_frame(300)), tmp_path / "run", backtest={"folds": 3})
    )
    assert invoke("train", str(config), "-q").exit_code == 0
    result = invoke("report", str(tmp_path / "run"), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.problems == [] and checker.open == []
    assert page.startswith("<!DOCTYPE html>")
    assert checker.headings == [
        "Latest forecast",
        "Test metrics beside the baselines",
        "Backtest",
        "Training",
        "Data",
        "Config",
    ]
    assert checker.images == 5  # forecast, error by step, backtest, loss, splits
    assert "<th>lower_80</th>" in page  # the forecast table carries its band
