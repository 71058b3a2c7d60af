"""streamcompare.stack."""
