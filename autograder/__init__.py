"""The grading engine of the neural-network fundamentals course (see README.md)."""
