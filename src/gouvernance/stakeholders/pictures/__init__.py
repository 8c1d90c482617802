"""The stakeholder map and the Mendelow power/interest grid as SVG, written by hand (no plotting library).

Both pictures are meant to be read at a glance and by screen readers (RGAA): the SVG has a title and a
description that summarise it, every stakeholder and relation carries its own ``<title>``, colours come from
the Okabe-Ito palette (safe for colour-blind readers) and never carry meaning alone (conflicts are also
dashed, attitudes are also a sign). Layouts are seeded: the same map always gives the same picture.

- ``map``: the stakeholder map (``stakeholder_map_svg``).
- ``grid``: the Mendelow grid (``power_interest_grid_svg``).
- ``drawing``: the palette, words and SVG pieces both share.
"""
