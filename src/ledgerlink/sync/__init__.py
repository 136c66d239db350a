"""Planner, queue, worker, jobs, scheduler and reference-data refresh: the engine's moving parts."""
