"""The managers' dashboard and reports: figures from each app's stats, one export path."""
