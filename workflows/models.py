"""The engine keeps viewflow's Process and Task tables; see flows.py."""
