"""The small directed graphs of a template's dependencies (stages after stages, steps after steps): the first
cycle a depth-first search meets, and what comes before a node. Plain Python: validating a template, which
every start-up does, does not need NetworkX (imported only where the stakeholder analysis runs)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable


class DependencyGraph:
    """Nodes and edges (before → after), kept in the order they were added."""

    def __init__(self, nodes: Iterable[str] = ()) -> None:
        self._after: dict[str, dict[str, None]] = {}
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: str) -> None:
        self._after.setdefault(node, {})

    def add_edge(self, before: str, after: str) -> None:
        self.add_node(before)
        self.add_node(after)
        self._after[before][after] = None

    def __contains__(self, node: object) -> bool:
        return node in self._after

    def find_cycle(self) -> list[tuple[str, str]] | None:
        """The edges of the first cycle met by a depth-first search from each node in turn (following edges
        in the order they were added), from the node it closes on; None without a cycle. The same cycle
        as ``networkx.find_cycle``, which the messages used to come from."""
        finished: set[str] = set()
        for start in self._after:
            if start in finished:
                continue
            path = [start]
            on_path = {start}
            pending = [iter(self._after[start])]
            while pending:
                following = next(pending[-1], None)
                if following is None:
                    pending.pop()
                    finished.add(path[-1])
                    on_path.discard(path.pop())
                    continue
                if following in on_path:
                    nodes = [*path[path.index(following) :], following]
                    return list(itertools.pairwise(nodes))
                if following in finished:
                    continue
                path.append(following)
                on_path.add(following)
                pending.append(iter(self._after[following]))
        return None

    def ancestors(self, node: str) -> set[str]:
        """Every node from which ``node`` can be reached."""
        before: dict[str, list[str]] = {}
        for source, targets in self._after.items():
            for target in targets:
                before.setdefault(target, []).append(source)
        found: set[str] = set()
        stack = [node]
        while stack:
            for source in before.get(stack.pop(), ()):
                if source not in found:
                    found.add(source)
                    stack.append(source)
        found.discard(node)
        return found
