use nitro::prelude::*;

fn main() {
    let page = html! {
        script { "let s = \"</script>\";" }
    };
    let _: String = page.render().into_string();
}
