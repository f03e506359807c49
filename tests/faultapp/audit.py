from core.audit import register
from workflows.cases import register_case_event

register("faultapp.report.submit", "Fault reported", message="%(actor)s reported the fault %(after.reference)s.")
register("faultapp.report.triage", "Fault triaged", message="%(actor)s triaged %(object)s.")
register("faultapp.report.repair", "Fault repaired", message="%(actor)s repaired %(object)s.")

# What the resident reads on their report's timeline: all three steps, in the same words.
for action, words in (("faultapp.report.submit", "Fault reported"), ("faultapp.report.triage", "Fault triaged"),
                      ("faultapp.report.repair", "Fault repaired")):
    register_case_event(action, words)
