package org.crs4j.data.fetch;

import java.util.List;
import java.util.Map;

/**
 * Where each dataset's official release lives. Checksums: CRSLab publishes SHA-256s for its preprocessed zips
 * (crslab/data/dataset/&lt;name&gt;/resources.py); for files whose exact bytes are in the shared data folder
 * (OpenDialKG's entity and relation lists, INSPIRED's dev/test TSVs) the SHA-256 was computed from those bytes; the
 * rest are marked unknown.
 */
public final class OfficialSources {
    private OfficialSources() {}

    /** A dataset's downloads, plus what the user must do by hand that no URL can do for them. */
    public record Release(List<Download> downloads, List<String> manualSteps) {}

    public static final Map<String, Release> RELEASES = Map.of(
            "redial", new Release(List.of(
                    Download.of("https://github.com/ReDialData/website/raw/data/redial_dataset.zip", "redial/raw/redial_dataset.zip", null)
                            .unzippedTo("redial/raw")),
                    List.of("The KBRD/KGSF DBpedia subgraph is published only as Python pickles (github.com/Lancelot39/KGSF, "
                            + "data/subkg.pkl, entity2entityId.pkl, id2entity.pkl, movie_ids.pkl): download them into redial/kgsf/ and run "
                            + "/usr/bin/python3 scripts/convert_pickles.py redial/kgsf (writes the JSON files crs4j reads)")),
            "inspired", new Release(List.of(
                    Download.of("https://raw.githubusercontent.com/sweetpeach/Inspired/master/data/dialog_data/train.tsv", "inspired/original/train.tsv", null),
                    Download.of("https://raw.githubusercontent.com/sweetpeach/Inspired/master/data/dialog_data/dev.tsv", "inspired/original/dev.tsv",
                            "15a955be002222ba9e95f886802e06a91fb5e457f8a25deae3e7908d58faa947"),
                    Download.of("https://raw.githubusercontent.com/sweetpeach/Inspired/master/data/dialog_data/test.tsv", "inspired/original/test.tsv",
                            "a10f63ff26045158460730d4829ffba74bee86fb744d9f48c1c1c511ef609993")),
                    List.of("The UniCRS-processed form that `crs4j data prepare inspired` reads (inspired/unicrs/*_data_dbpedia.jsonl, "
                            + "entity2id.json, relation2id.json, dbpedia_subkg.json) is produced by UniCRS's preprocessing scripts "
                            + "(github.com/wxl1999/UniCRS, data/inspired/)")),
            "opendialkg", new Release(List.of(
                    Download.of("https://raw.githubusercontent.com/facebookresearch/opendialkg/main/data/opendialkg.csv", "opendialkg/opendialkg.csv", null),
                    Download.of("https://raw.githubusercontent.com/facebookresearch/opendialkg/main/data/opendialkg_triples.txt", "opendialkg/opendialkg_triples.txt", null),
                    Download.of("https://raw.githubusercontent.com/facebookresearch/opendialkg/main/data/opendialkg_entities.txt", "opendialkg/opendialkg_entities.txt",
                            "6ada96862e3289c5fcbe572374a97db96f08ebbb2e0797a86cfe23a7dfa37573"),
                    Download.of("https://raw.githubusercontent.com/facebookresearch/opendialkg/main/data/opendialkg_relations.txt", "opendialkg/opendialkg_relations.txt",
                            "408a547dcaf008ee18141e7cb59643e6a6a5850b81bcb9375cc8db35b057f5a3")),
                    List.of()),
            "tgredial", new Release(List.of(),
                    List.of("TG-ReDial is released on Google Drive and Baidu Pan only (links in github.com/RUCAIBox/TG-ReDial README), "
                            + "which need a browser: download the data folder into tgredial/ and run "
                            + "/usr/bin/python3 scripts/convert_pickles.py tgredial (pickles to JSON; movies_with_mentions.csv from GBK to UTF-8)")),
            "gorecdial", new Release(List.of(
                    Download.of("https://pkueducn-my.sharepoint.com/:u:/g/personal/franciszhou_pku_edu_cn/EYmobnFBox1LnGKGW4TMCk8BW6rnjdAZNVsNo8uJ8ZsJLg?download=1",
                            "gorecdial/gorecdial.zip", "66035bf24862535a072cc6778a3affd541ae0a4aa1fe31455d4fb063b301f087").unzippedTo("gorecdial")),
                    List.of("CRSLab's GoRecDial link has been reported dead (RUCAIBox/CRSLab issue #62); the authors shared the raw data "
                            + "in facebookresearch/ParlAI issue #2200")),
            "movielens", new Release(List.of(
                    Download.of("https://files.grouplens.org/datasets/movielens/ml-latest-small.zip", "movielens/ml-latest-small.zip", null)
                            .unzippedTo("movielens")),
                    List.of()));
}
