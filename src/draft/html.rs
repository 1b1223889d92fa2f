//! A saved notice page as text: table rows become lines with their cells separated by tabs,
//! block elements and `<br>` become line breaks, scripts and styles are dropped, the common
//! character references are decoded. A deliberately small reader: notices are plain pages,
//! and the notice reader works on the text, not the markup.

/// The text of an HTML page, one table row or block per line, cells separated by `\t`.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode(&rest[..lt]));
        let after = &rest[lt + 1..];
        // A comment runs to `-->`; anything else to the next `>`.
        if let Some(c) = after.strip_prefix("!--") {
            rest = c.find("-->").map_or("", |e| &c[e + 3..]);
            continue;
        }
        let Some(gt) = after.find('>') else {
            // An unclosed `<` is text.
            out.push_str(&decode(&rest[lt..]));
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let name: String =
            tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        let closing = tag.starts_with('/');
        match name.as_str() {
            "script" | "style" | "head" if !closing => {
                let end = format!("</{name}");
                rest = rest.to_ascii_lowercase().find(&end).map_or("", |e| {
                    let r = &rest[e..];
                    r.find('>').map_or("", |g| &r[g + 1..])
                });
            }
            "td" | "th" if !closing && !out.ends_with('\n') && !out.is_empty() => out.push('\t'),
            "br" | "tr" | "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "ul" | "ol" | "title"
                if !out.ends_with('\n') =>
            {
                out.push('\n')
            }
            _ => {}
        }
    }
    out.push_str(&decode(rest));
    // Whitespace as the browser shows it: runs of spaces are one, lines trimmed.
    out.lines()
        .map(|l| l.split('\t').map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\t"))
        .map(|l| l.trim_matches('\t').to_string())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_string()
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.replace(['\n', '\r'], " ");
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(a) = rest.find('&') {
        out.push_str(&rest[..a]);
        let after = &rest[a + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let r = &after[..e];
            let c = match r {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let n = r
                        .strip_prefix("#x")
                        .or_else(|| r.strip_prefix("#X"))
                        .map(|h| u32::from_str_radix(h, 16))
                        .or_else(|| r.strip_prefix('#').map(str::parse::<u32>));
                    return n.and_then(Result::ok).and_then(char::from_u32).map(|c| (c, e));
                }
            };
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn tables_become_tab_separated_lines() {
        let table = [
            ("<p>a</p><p>b</p>", "a\nb"),
            ("<table><tr><th>影響する機能</th><th>日程</th></tr>\n<tr><td>全ての機能</td><td>2023 年 11 月 13 日(月) 2:00&#xFF5E;5:30</td></tr></table>", "影響する機能\t日程\n全ての機能\t2023 年 11 月 13 日(月) 2:00～5:30"),
            ("x<br>y<br/>z", "x\ny\nz"),
            ("<script>if (a < b) {}</script><style>p{}</style>t &amp; u &lt;v&gt; &nbsp;w", "t & u <v> w"),
            ("<!-- <td>no</td> -->yes", "yes"),
            ("a < b", "a < b"),
            ("&bogus; &#99999999; &#65;", "&bogus; &#99999999; A"),
            ("<div>line\n  broken</div>", "line broken"),
        ];
        for (html, text) in table {
            assert_eq!(to_text(html), text, "{html}");
        }
    }
}
