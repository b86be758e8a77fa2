/* The search scorer of Cross-Entropy, Derived (Sphinx's html_search_scorer; set by
   book_ext/reader_fixes.py). Sphinx's default weights, plus one rule: a reader who searches
   a term wants the chapters that teach it first, so every result in the appendices (errata,
   notation, glossary, ... : pages chapters/aN_*) ranks below every result in a chapter. The
   glossary's terms are index entries, which Sphinx scores up to 100, above any chapter. */
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    return /^chapters\/a\d/.test(docname) ? score - 1000 : score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
