"""streamcompare.drivers."""
