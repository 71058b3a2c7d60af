"""streamcompare.cost."""
