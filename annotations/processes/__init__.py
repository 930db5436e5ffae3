"""Process plumbing: the pipe protocol to our child processes, and the files dead ones leave."""
