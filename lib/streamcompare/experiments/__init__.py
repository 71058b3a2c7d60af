"""streamcompare.experiments."""
