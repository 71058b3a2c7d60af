"""streamcompare.bench."""
