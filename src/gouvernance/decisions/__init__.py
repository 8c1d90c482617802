"""The decision register: deliberations and decisions of the bodies that govern the engagement, with their
legal basis, votes, transmission to the contrôle de légalité and publication."""
