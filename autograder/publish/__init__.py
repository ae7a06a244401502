"""Publishing: everything students and grading tools receive, generated from the masters
(the student notebooks, the release, the otter, nbgrader and Gradescope bundles, the pins)."""
