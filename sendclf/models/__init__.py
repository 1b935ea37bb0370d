"""Models behind one interface (`base.Classifier`); `registry` knows every kind and builds and loads them."""
