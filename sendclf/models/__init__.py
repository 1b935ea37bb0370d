"""Models behind one interface (base.Classifier); each kind is imported only when used."""
