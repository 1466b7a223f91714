using System.Text.RegularExpressions;
using Wharf.Core;

namespace Wharf.Engine.Containers;

/// <summary>Container name rules and Docker-style random names.</summary>
public static partial class ContainerNames
{
    [GeneratedRegex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    /// <summary>Returns the canonical "/name" form or throws InvalidArgument with Docker's wording.</summary>
    public static string Normalize(string name)
    {
        if (!ValidName().IsMatch(name))
            throw WharfException.Invalid($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        return name.StartsWith('/') ? name : "/" + name;
    }

    // Our own word lists in Docker's adjective_surname shape (scientists and engineers).
    private static readonly string[] Adjectives =
    [
        "admiring", "agitated", "amazing", "angry", "awesome", "beautiful", "blissful", "bold", "brave", "busy",
        "charming", "clever", "compassionate", "competent", "confident", "cool", "cranky", "crazy", "dazzling",
        "determined", "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent",
        "epic", "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny", "gallant",
        "gifted", "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible",
        "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid",
        "magical", "modest", "musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective",
        "optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical", "relaxed",
        "reverent", "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied",
        "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant",
        "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
    ];

    private static readonly string[] Surnames =
    [
        "agnesi", "albattani", "allen", "almeida", "archimedes", "ardinghelli", "aryabhata", "babbage", "banach",
        "bardeen", "bartik", "bassi", "bell", "bhabha", "blackwell", "bohr", "booth", "borg", "bose", "brahmagupta",
        "brattain", "brown", "carson", "cerf", "chandrasekhar", "clarke", "colden", "cori", "curie", "darwin",
        "davinci", "dijkstra", "dirac", "driscoll", "einstein", "elion", "engelbart", "euclid", "euler", "faraday",
        "fermat", "fermi", "feynman", "franklin", "galileo", "gauss", "germain", "goldberg", "goodall", "hamilton",
        "hawking", "heisenberg", "hertz", "hodgkin", "hoover", "hopper", "hypatia", "jang", "jennings", "johnson",
        "kalam", "kepler", "knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey", "lovelace", "lumiere",
        "mahavira", "margulis", "mayer", "mccarthy", "mclean", "meitner", "mendel", "mirzakhani", "morse", "napier",
        "newton", "nobel", "noether", "pare", "pascal", "pasteur", "perlman", "pike", "poincare", "ptolemy", "raman",
        "ramanujan", "ritchie", "rosalind", "sammet", "shannon", "shockley", "sinoussi", "stonebraker", "swanson",
        "tesla", "thompson", "torvalds", "turing", "varahamihira", "villani", "wescoff", "wiles", "williams",
        "wilson", "wing", "wozniak", "wright", "yalow", "yonath",
    ];

    /// <summary>A random "adjective_surname" (with a digit appended on retries, as Docker does).</summary>
    public static string Random(int retry = 0)
    {
        while (true)
        {
            var name = Adjectives[System.Random.Shared.Next(Adjectives.Length)] + "_" + Surnames[System.Random.Shared.Next(Surnames.Length)];
            // Steve Wozniak is not boring (Docker's one hard-coded exception).
            if (name == "boring_wozniak") continue;
            return retry > 0 ? name + System.Random.Shared.Next(10) : name;
        }
    }
}
