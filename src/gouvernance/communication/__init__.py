"""The communication plan's actions: what is said, to whom, through which channel, when, by whom, at what
cost, and where each action stands."""
