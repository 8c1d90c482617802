"""The parties of the partnership convention (convention de partenariat): who signs, who represents them,
what each brings and commits to, linked where known to a stakeholder of the register."""
