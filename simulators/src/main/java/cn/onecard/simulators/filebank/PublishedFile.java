package cn.onecard.simulators.filebank;

/** A file as it is published on the server: its name and bytes. */
record PublishedFile(String name, byte[] content) {

    @Override
    public String toString() {
        return "PublishedFile[" + name + ", " + content.length + " bytes]";
    }
}
