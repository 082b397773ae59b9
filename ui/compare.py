"""Compare page (placeholder)."""
import solara
class CompareJob:
    pass
@solara.component
def ComparePage(job):
    solara.Text("Compare")
