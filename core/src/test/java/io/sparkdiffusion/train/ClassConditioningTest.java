package io.sparkdiffusion.train;

import com.typesafe.config.ConfigFactory;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassConditioningTest {
    private static String read(String hoconValue) {
        return ClassConditioning.read(new Settings(ConfigFactory.parseString("conditional = " + hoconValue)),
                "conditional");
    }

    @Test
    void readsTheChoiceAndTheBooleanSpellingsOfTheOldBooleanKey() {
        assertEquals("auto", read("auto"));
        assertEquals("true", read("true"));
        assertEquals("false", read("false"));
        assertEquals("true", read("\"true\""));
        assertEquals("true", read("yes"));
        assertEquals("true", read("on"));
        assertEquals("false", read("no"));
        assertEquals("false", read("off"));
        ConfigError e = assertThrows(ConfigError.class, () -> read("maybe"));
        assertTrue(e.getMessage().contains("auto, true, false"), e.getMessage());
    }

    @Test
    void autoIsConditionalForTwoOrMoreClasses() {
        assertTrue(ClassConditioning.decide("local.conditional", "auto", 2));
        assertFalse(ClassConditioning.decide("local.conditional", "auto", 1));
        assertFalse(ClassConditioning.decide("local.conditional", "false", 10));
        assertTrue(ClassConditioning.decide("local.conditional", "true", 3));
    }

    @Test
    void trueWithoutClassesIsRefusedNamingTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> ClassConditioning.decide("local.conditional", "true", 1));
        assertTrue(e.getMessage().startsWith("local.conditional = true needs data with at least 2 classes"),
                e.getMessage());
    }
}
