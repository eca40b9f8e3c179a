"""The ground floor: errors and settings every other package uses; imports nothing of ours."""
