"""Follow one request through the app: the ``wms`` modules it runs, from the view down.

``Trace`` is a ``sys.setprofile`` hook; ``bench/receive_hops.py`` prints what it finds for
the receive scan, and the receiving tests hold the scan to its shape.
"""

from __future__ import annotations

from types import FrameType
from typing import Any

AREA = "wms.receiving"


class Trace:
    """The wms modules one request runs, from the view function down."""

    def __init__(self, view: str) -> None:
        self.view = view
        self.depth = 0  # Python frames open below (and including) the view; 0 outside it
        self.page_depth = 0  # the depth of the call the page made, while it runs
        self.modules: set[str] = set()
        self.code_modules: set[str] = set()  # those the code reaches, not only the page
        self.crossings = 0
        # (caller, callee, function, the caller's line): one per call between area modules
        self.area_calls: list[tuple[str, str, str, int]] = []
        self.page_calls = 0

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "return":
            if self.depth and self.depth == self.page_depth:
                self.page_depth = 0
            self.depth = max(0, self.depth - 1)
            return
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if not self.depth and not (module.startswith("wms.") and frame.f_code.co_name == self.view):
            return
        self.depth += 1
        if not module.startswith("wms"):
            return
        self.modules.add(module)
        if self.page_depth:
            return  # below a call the page made
        caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
        if self.depth > 1 and not caller.startswith("wms"):
            # Called by the page: a template reads a property, or calls a helper.
            self.page_calls += 1
            self.page_depth = self.depth
            return
        self.code_modules.add(module)
        if caller != module:
            self.crossings += 1
            if caller.startswith(AREA) and module.startswith(AREA):
                site = frame.f_back.f_lineno if frame.f_back else 0
                self.area_calls.append((caller, module, frame.f_code.co_name, site))

    def figures(self) -> dict[str, Any]:
        edges = [(a, b) for a, b, _, _ in self.area_calls]
        # Each place in the code that calls again between the same two modules; a
        # helper called in a loop is called from one place.
        repeated = len({(a, b, site) for a, b, _, site in self.area_calls}) - len(set(edges))
        reversed_ = sum(1 for a, b in set(edges) if (b, a) in set(edges)) // 2
        return {
            "modules": len(self.modules),
            "modules_from_code": len(self.code_modules),
            "packages": len({_package(m) for m in self.modules}),
            "crossings": self.crossings,
            "area_calls": len(edges),
            "back_and_forth": repeated + reversed_,
            "calls_from_the_page": self.page_calls,
            "area_path": [
                f"{_short(a)} -> {_short(b)}.{name}" for a, b, name, _ in self.area_calls
            ],
            "module_list": sorted(m.removeprefix("wms.") for m in self.modules),
        }


def _short(module: str) -> str:
    return module.removeprefix(AREA + ".")


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])
