package org.crs4j.data.link;

import java.util.Set;

/**
 * Words too common in chat to be taken as an entity on their own: NLTK's English stopwords plus the everyday words of
 * movie-chat (DBpedia has entities called "Love", "Yes", "Movie", "Her", "Up"...). A name made only of these words
 * is linked only where the text capitalizes it mid-sentence.
 */
final class CommonWords {
    private CommonWords() {}

    static final Set<String> WORDS = Set.copyOf(java.util.Arrays.asList((
            "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers "
            + "herself it its itself they them their theirs themselves what which who whom this that these those am is "
            + "are was were be been being have has had having do does did doing a an the and but if or because as until "
            + "while of at by for with about against between into through during before after above below to from up "
            + "down in out on off over under again further then once here there when where why how all any both each "
            + "few more most other others some such no nor not only own same so than too very s t can will just don "
            + "dont should now d ll m o re ve y ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn "
            + "shan shouldn wasn weren won wouldn im ive id youre youve thats its "
            + "hi hello hey yes yeah yep no nope ok okay sure thanks thank bye goodbye please welcome well oh wow lol "
            + "like liked likes love loved loves enjoy enjoyed watch watched watching see seen saw look looking good "
            + "great best better nice fun funny cool awesome amazing bad old new big little one two three first last "
            + "movie movies film films show shows series story stories time times day night year years kind type sort "
            + "think thought know knew mean really also maybe something anything everything nothing someone thing "
            + "things way lot lots much many would could might must may get got go going gone make made say said tell "
            + "recommend recommendation suggestion suggestions favorite favourite people man woman men women guy guys "
            + "girl boy kids family friend friends home world life live end part back still even never ever always "
            + "again action drama comedy horror genre classic original true real sound sounds check "
            // frequent words that DBpedia also has as entities (songs, bands, places, films)
            + "problem problems perfect world city music home money power fire water star stars light dark school war "
            + "king queen god heaven hell house island earth sun moon summer winter spring fall christmas halloween "
            + "black white red blue green gold silver space today tomorrow yesterday rock pop country jazz soul party "
            + "game games book books song songs band team club wow awesome epic legend legends hero heroes monster "
            + "monsters ghost ghosts dream dreams heart hearts secret secrets family friends story truth lies beauty "
            + "someone anyone everyone somebody anybody whatever forever never always maybe definitely absolutely "
            + "exactly totally seriously honestly hello goodbye cheers cool nice sweet fine great done").split(" ")));

    static boolean isCommon(String normalizedToken) { return WORDS.contains(normalizedToken); }

    static boolean isArticle(String normalizedToken) {
        return normalizedToken.equals("the") || normalizedToken.equals("a") || normalizedToken.equals("an");
    }
}
