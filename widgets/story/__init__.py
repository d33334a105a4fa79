"""What each frame says and shows: a graph's steps replayed as frames, with their narration."""
