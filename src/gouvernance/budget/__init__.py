"""The participatory budget: proposals through their review, the vote by channel, and the results within the
envelope."""
