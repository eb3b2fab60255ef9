//! Datastar v1 attribute syntax: the plugin table (`table`), the attribute lexer (`attr`) and
//! the scan of expression strings for actions and `$signal` references (`scan`).

mod attr;
mod scan;
mod table;

pub use attr::*;
pub use scan::*;
pub use table::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_keys_and_modifiers() {
        let a = lex("data-on:click__debounce.500ms.leading__prevent").unwrap();
        assert_eq!(a.plugin.name, "on");
        assert_eq!(a.key.as_deref(), Some("click"));
        assert_eq!(a.mods.len(), 2);
        assert_eq!(a.mods[0].1, vec!["500ms", "leading"]);
        assert_eq!(
            lex("data-on-intersect__once").unwrap().plugin.name,
            "on-intersect"
        );
        let b = lex("data-bind:first-name").unwrap();
        assert_eq!(b.defined_signal().as_deref(), Some("firstName"));
        let c = lex("data-signals:my-form.user-name__case.snake").unwrap();
        assert_eq!(c.defined_signal().as_deref(), Some("my_form.user_name"));
    }

    #[test]
    fn rejects_mistakes_with_help() {
        let e = lex("data-on-click").unwrap_err();
        assert!(e.help.contains("data-on:click"), "{e:?}");
        let e = lex("data-bind-email").unwrap_err();
        assert!(e.help.contains("data-bind:email"), "{e:?}");
        let e = lex("data-bnd:x").unwrap_err();
        assert!(e.help.contains("data-bind:x"), "{e:?}");
        let e = lex("data-on:click__debunce.5ms").unwrap_err();
        assert!(e.help.contains("__debounce"), "{e:?}");
        assert!(lex("data-on:click__debounce").is_err());
        assert!(lex("data-on:click__debounce.fast").is_err());
        assert!(lex("data-show:x").is_err());
        assert!(lex("data-on").is_err());
        assert!(lex("data-bind:firstName")
            .unwrap_err()
            .help
            .contains("first-name"));
        assert!(lex("data-model").unwrap_err().help.contains("data-bind"));
        assert!(lex("data-on-load").unwrap_err().help.contains("data-init"));
        assert!(looks_like_datastar("on-click"));
        assert!(!looks_like_datastar("user-id"));
    }

    #[test]
    fn finds_signal_references() {
        let refs = signal_refs("$count + $form.email + '$no' + `${$yes}` + a$b + $$x");
        let paths: Vec<_> = refs.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["count", "form.email", "yes"]);
        assert_eq!(signal_refs("@post('/x')").len(), 0);
        assert_eq!(
            signal_refs("$a.b.")
                .iter()
                .map(|r| r.path.as_str())
                .collect::<Vec<_>>(),
            ["a.b"]
        );
    }
}
