"""Stakeholder map (cartographie des parties prenantes): the pure domain part.

- ``vocabulary``: the enums and their French and English labels.
- ``records``: validated input records (stakeholders, relations, consultations, coverage requirements).
- ``analysis``: the graph and what it tells (Mendelow, Mitchell, brokers, communities, conflicts, coverage).
- ``csv_import``: all-or-nothing import of a stakeholder spreadsheet.
- ``exports`` and ``pictures``: CSV, GraphML, GEXF and SVG outputs.

Nothing here touches a database or HTTP; import the submodules directly.
"""
