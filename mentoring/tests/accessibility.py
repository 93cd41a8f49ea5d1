"""axe-core in every browser test: each page a test opens is checked against WCAG 2.2 A/AA, and a serious or
critical violation fails the test.

`watch(context)` makes every top-level document of a browser context run axe once it has loaded and report
back (an init script plus an exposed binding), so pages reached by clicking are checked as well as pages
opened by URL. `check(page)` waits for the current page's report (running axe if it has not run yet) and
fails on what it found; the `sign_in` fixture calls it on every page still open when a test ends and fails
on anything reported on the way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "axe" / "axe.min.js"
BLOCKING = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Runs in every top-level document after axe itself: one run per document, kept as a promise so that a
# later explicit check waits for it instead of starting a second (axe refuses to run twice at once).
_RUNNER = """
(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;  // not about:blank
  const options = %s;
  const blocking = %s;
  window.__axeCheck = () => {
    if (!window.__axeRun) {
      window.__axeRun = axe.run(document, options).then((result) => {
        const found = result.violations.filter((v) => blocking.includes(v.impact)).map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 6).map((n) => n.target.join(" ") + " :: " + (n.failureSummary || "").slice(0, 240)),
        }));
        if (window.__axeReport) window.__axeReport(location.pathname + location.search, found);
        return found;
      });
    }
    return window.__axeRun;
  };
  const start = () => setTimeout(() => window.__axeCheck(), 0);
  if (document.readyState === "complete") start(); else window.addEventListener("load", start, { once: true });
})();
"""


@dataclass
class Findings:
    """What axe reported in one browser context: path → serious or critical violations."""

    pages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, path: str, violations: list[dict[str, Any]]) -> None:
        self.pages[path] = violations

    def failures(self) -> dict[str, list[dict[str, Any]]]:
        return {path: found for path, found in self.pages.items() if found}


def describe(failures: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for path, found in failures.items():
        for v in found:
            lines.append(f"{path}: [{v['impact']}] {v['id']}: {v['help']}")
            lines += [f"    {node}" for node in v["nodes"]]
    return "axe found serious or critical WCAG 2.2 AA violations:\n" + "\n".join(lines)


def watch(context: Any) -> Findings:
    """Run axe in every page of `context` once it loads; the returned Findings fill as reports arrive."""
    findings = Findings()
    context.expose_binding("__axeReport", lambda _source, path, found: findings.add(path, found))
    options = json.dumps({"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    context.add_init_script(path=str(AXE))
    context.add_init_script(script=_RUNNER % (options, json.dumps(list(BLOCKING))))
    return findings


def check(page: Any) -> list[dict[str, Any]]:
    """The current page's serious and critical violations, after waiting for axe; asserts there are none."""
    page.wait_for_load_state("load")
    if not page.url.startswith("http"):
        return []  # about:blank before the first page: nothing of ours to check
    found = page.evaluate("() => window.__axeCheck ? window.__axeCheck() : null")
    if found is None:  # a page that was open before watching (never, with sign_in): inject and run now
        page.add_script_tag(path=str(AXE))
        options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
        result = page.evaluate("(o) => axe.run(document, o)", options)
        found = [
            v | {"nodes": [" ".join(n["target"]) for n in v["nodes"][:6]]}
            for v in result["violations"]
            if v["impact"] in BLOCKING
        ]
    path = page.evaluate("() => location.pathname + location.search")
    assert not found, describe({path: found})
    return []  # nothing serious: kept as a list so a caller can assert on it
