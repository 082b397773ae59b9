"""About page (placeholder)."""
import solara
@solara.component
def AboutPage():
    solara.Text("About")
