"""What the criterion notebooks call: one module per criterion, so notebooks stay thin."""
