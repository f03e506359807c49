from core.audit import register

register("faultapp.report.submit", "Fault reported", message="%(actor)s reported the fault %(after.reference)s.")
register("faultapp.report.triage", "Fault triaged", message="%(actor)s triaged %(object)s.")
register("faultapp.report.repair", "Fault repaired", message="%(actor)s repaired %(object)s.")
