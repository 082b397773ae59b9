"""Learn page (placeholder)."""
import solara
@solara.component
def LearnPage(session, bump, goto):
    solara.Text("Learn")
