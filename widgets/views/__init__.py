"""The still pictures and checks: draw(), GradCheckView and the folded Overview."""
