"""What the stakeholder map tells: Mendelow quadrants, Mitchell salience, brokers, communities, isolated key
players, conflicts with their possible mediators, and consultation coverage per stage.

The map is a ``networkx.MultiDiGraph`` (``build_graph``): one node per stakeholder, one edge per relation,
keyed by relation type. Symmetric relations (partenaire, conflit) are stored once, in the order given.

Structural analyses (brokers, communities, mediators) read the *cooperation network*: every relation except
conflicts, undirected (a tie carries trust and information both ways), with the weights of all the ties
between two stakeholders added up. Conflicts are read separately. ``prepare`` builds both once; every function
accepts either the graph or the prepared ``Network``.

Everything is reproducible: nodes and edges are sorted before the seeded algorithms run, so the same map gives
the same answer whatever order the records came in.

- ``classification``: Mendelow quadrants, Mitchell classes, key players.
- ``graph``: ``build_graph`` and the prepared ``Network``.
- ``algorithms``: brokers, communities, isolated key players, conflicts and mediators.
- ``coverage``: consultation coverage per stage.
- ``results``: the records the analyses return.
- ``overview``: ``analyse``, everything at once.
"""
